import { Type } from '@sinclair/typebox';
import { Closed } from './closed.js';
import { AgentInfoSchema, IdSchema } from './mesos-types.js';
import { ExecutorInfoSchema, FrameworkInfoSchema, KillPolicySchema, TaskInfoSchema, TaskSchema, TaskStatusSchema } from './scheduler-types.js';

/** A framework as an agent knows it: its info (with `id`). */
const FrameworkOnAgent = FrameworkInfoSchema;
const ExecutorOnAgent = Closed({ framework_id: IdSchema, executor_info: ExecutorInfoSchema });

/**
 * Master <-> agent, as Mesos's internal messages (messages.proto) between master and slave.
 * Status updates go agent -> master -> scheduler and acknowledgements come back the same way,
 * so an agent never needs a scheduler's address.
 */
export const agentMessages = {
  /** A new agent asks to join; answered with `agent.Registered`. */
  'agent.Register': Closed({ agent_info: AgentInfoSchema, version: Type.String() }),
  /**
   * The master admitted the agent. The ping settings let the agent notice a master that has gone
   * quiet (no ping for interval x max_missed) and register again.
   */
  'agent.Registered': Closed({
    agent_id: IdSchema,
    master_id: Type.String({ minLength: 1 }),
    ping_interval_ms: Type.Integer({ minimum: 1 }),
    max_missed_pings: Type.Integer({ minimum: 1 }),
  }),
  /** An agent that has an id asks to rejoin with what it runs; answered with `agent.Reregistered`. */
  'agent.Reregister': Closed({
    agent_info: AgentInfoSchema,
    version: Type.String(),
    frameworks: Type.Array(FrameworkOnAgent),
    executors: Type.Array(ExecutorOnAgent),
    tasks: Type.Array(TaskSchema),
  }),
  'agent.Reregistered': Closed({
    agent_id: IdSchema,
    master_id: Type.String({ minLength: 1 }),
    ping_interval_ms: Type.Integer({ minimum: 1 }),
    max_missed_pings: Type.Integer({ minimum: 1 }),
  }),
  /** The master refuses the agent (for example it was marked gone): the agent must stop. */
  'agent.Shutdown': Closed({ message: Type.String() }),
  /** Master -> agent liveness probe; `connected` false tells the agent to register again. */
  'agent.Ping': Closed({ connected: Type.Boolean() }),
  'agent.Pong': Closed({}),
  /** Launch one task (LAUNCH): with its own or the command executor. */
  'agent.RunTask': Closed({ framework: FrameworkOnAgent, task: TaskInfoSchema }),
  /** Launch a task group (LAUNCH_GROUP): every task in one executor. */
  'agent.RunTaskGroup': Closed({ framework: FrameworkOnAgent, executor: ExecutorInfoSchema, tasks: Type.Array(TaskInfoSchema, { minItems: 1 }) }),
  'agent.KillTask': Closed({ framework_id: IdSchema, task_id: IdSchema, kill_policy: Type.Optional(KillPolicySchema) }),
  'agent.ShutdownExecutor': Closed({ framework_id: IdSchema, executor_id: IdSchema }),
  /** The framework is gone: kill its executors and tasks, forget it. */
  'agent.ShutdownFramework': Closed({ framework_id: IdSchema }),
  /** A task's status update, for the framework; resent until acknowledged. */
  'agent.StatusUpdate': Closed({ framework_id: IdSchema, status: TaskStatusSchema }),
  /** The framework acknowledged an update (by its uuid). */
  'agent.StatusUpdateAck': Closed({ framework_id: IdSchema, task_id: IdSchema, uuid: Type.String({ minLength: 1 }) }),
  /** Opaque data between a scheduler and an executor, through the master and the agent. */
  'agent.FrameworkMessage': Closed({ framework_id: IdSchema, executor_id: IdSchema, agent_id: IdSchema, data: Type.String() }),
  /** An executor exited (Mesos's ExitedExecutorMessage): the master tells the framework FAILURE. */
  'agent.ExecutorExited': Closed({ framework_id: IdSchema, executor_id: IdSchema, status: Type.Integer() }),
  /** The framework's info changed (UPDATE_FRAMEWORK). */
  'agent.UpdateFramework': Closed({ framework: FrameworkOnAgent }),
} as const;
