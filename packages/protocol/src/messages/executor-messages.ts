import { Type, type Static } from '@sinclair/typebox';
import { Closed } from './closed.js';
import { AgentInfoSchema, IdSchema } from './mesos-types.js';
import {
  EnvironmentSchema,
  ExecutorInfoSchema,
  FrameworkInfoSchema,
  KillPolicySchema,
  RLimitSchema,
  TaskInfoSchema,
  TaskStatusSchema,
} from './scheduler-types.js';

const literals = (names: string[]) => Type.Union(names.map((n) => Type.Literal(n)));

/**
 * Mesos v1 executor Call (executor.proto): what an executor sends its agent. The payload of a type
 * sits in the field of the same name in lower case.
 */
export const ExecutorCallSchema = Closed({
  executor_id: IdSchema,
  framework_id: IdSchema,
  type: literals(['SUBSCRIBE', 'UPDATE', 'MESSAGE', 'HEARTBEAT']),
  subscribe: Type.Optional(Closed({
    unacknowledged_tasks: Type.Optional(Type.Array(TaskInfoSchema)),
    unacknowledged_updates: Type.Optional(Type.Array(Closed({ status: TaskStatusSchema }))),
  })),
  update: Type.Optional(Closed({ status: TaskStatusSchema })),
  message: Type.Optional(Closed({ data: Type.String() })),
});

/** Mesos v1 executor Event: what an agent sends its executor. */
export const ExecutorEventSchema = Closed({
  type: literals(['SUBSCRIBED', 'LAUNCH', 'LAUNCH_GROUP', 'KILL', 'ACKNOWLEDGED', 'MESSAGE', 'ERROR', 'SHUTDOWN', 'HEARTBEAT']),
  subscribed: Type.Optional(Closed({
    executor_info: ExecutorInfoSchema,
    framework_info: FrameworkInfoSchema,
    agent_info: AgentInfoSchema,
    container_id: Type.Optional(IdSchema),
  })),
  launch: Type.Optional(Closed({ task: TaskInfoSchema })),
  launch_group: Type.Optional(Closed({ task_group: Closed({ tasks: Type.Array(TaskInfoSchema, { minItems: 1 }) }) })),
  kill: Type.Optional(Closed({ task_id: IdSchema, kill_policy: Type.Optional(KillPolicySchema) })),
  acknowledged: Type.Optional(Closed({ task_id: IdSchema, uuid: Type.String({ minLength: 1 }) })),
  message: Type.Optional(Closed({ data: Type.String() })),
  error: Type.Optional(Closed({ message: Type.String() })),
});

/**
 * How every process of a container must be started (the agent's isolators decide, the executor's
 * task launcher obeys): born in these cgroups, under these limits (those the launcher does not
 * already have), in a new pid namespace, with a private /tmp and a read-only host.
 */
export const ContainerLaunchSchema = Closed({
  cgroups: Type.Optional(Type.Array(Type.String({ minLength: 2, pattern: '^/' }))),
  rlimits: Type.Optional(Type.Array(RLimitSchema)),
  pid_namespace: Type.Optional(Type.Boolean()),
  filesystem: Type.Optional(Closed({ private_tmp: Type.Boolean(), read_only_host: Type.Boolean() })),
});
export type ContainerLaunch = Static<typeof ContainerLaunchSchema>;

/** Agent <-> executor, and agent -> executor host (the process that runs command executors). */
export const executorMessages = {
  'executor.Call': ExecutorCallSchema,
  'executor.Event': ExecutorEventSchema,
  /**
   * Agent -> executor host: start a command executor actor for `executor_info` in `directory`
   * (its sandbox). One host OS process per agent and framework runs many command executors, so a
   * command task costs a fork of its shell, not a Node start-up. Answered with `executor.Spawned`.
   */
  'executor.Spawn': Closed({
    framework_id: IdSchema,
    executor_info: ExecutorInfoSchema,
    directory: Type.String({ minLength: 1 }),
    agent: Type.String({ minLength: 3 }),
    environment: Type.Optional(EnvironmentSchema),
    shutdown_grace_period_ms: Type.Optional(Type.Integer({ minimum: 0 })),
    container: Type.Optional(ContainerLaunchSchema),
    /**
     * Tasks a previous incarnation of this executor started, which died with its agent's process
     * while their processes lived on under the agent's spawner: the new executor watches them
     * again instead of launching anything.
     */
    recovered_tasks: Type.Optional(Type.Array(TaskInfoSchema)),
  }),
  /** The executor actor is up at `pid` (it subscribes to the agent on its own); or why not. */
  'executor.Spawned': Closed({ executor_id: IdSchema, pid: Type.Optional(Type.String()), error: Type.Optional(Type.String()) }),
} as const;
