import { Type, type Static } from '@sinclair/typebox';
import { PID_PATTERN } from '../envelope.js';
import { ExecutorInfoSchema, FrameworkInfoSchema, TaskInfoSchema, TaskStatusSchema } from './scheduler-types.js';

const Pid = Type.String({ pattern: PID_PATTERN });

/**
 * What an agent checkpoints under `<work_dir>/meta` (Mesos's `meta/slaves/...`) so that a restart
 * can reattach to its executors: one small file per object, and one append-only file per status
 * update stream. Every file is validated against its schema when read back.
 */
export const checkpointSchemas = {
  /** `meta/agent.json`: who the agent is and which boot it ran in. */
  'checkpoint.Agent': Type.Object({
    /** The runtime node the agent ran as: executors find it again at the same pid. */
    node: Type.String({ minLength: 1, maxLength: 128 }),
    /** `/proc/sys/kernel/random/boot_id` when it was written: a different one means a reboot. */
    boot_id: Type.String({ minLength: 1, maxLength: 100 }),
    /** Set once the master admitted the agent. */
    agent_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  }, { additionalProperties: false }),
  /** `meta/executor-host.json`: the shared executor host OS process, to adopt after a restart. */
  'checkpoint.ExecutorHost': Type.Object({
    pid: Pid,
    os_pid: Type.Integer({ minimum: 1 }),
  }, { additionalProperties: false }),
  /** `meta/frameworks/<id>/framework.json`. */
  'checkpoint.Framework': Type.Object({ info: FrameworkInfoSchema }, { additionalProperties: false }),
  /** `meta/frameworks/<id>/executors/<id>.json`: one run of an executor. */
  'checkpoint.Executor': Type.Object({
    info: ExecutorInfoSchema,
    kind: Type.Union([Type.Literal('command'), Type.Literal('default'), Type.Literal('custom')]),
    run_id: Type.String({ minLength: 1 }),
    directory: Type.String({ minLength: 1 }),
    /** The executor's actor, once it subscribed. */
    pid: Type.Optional(Pid),
  }, { additionalProperties: false }),
  /** `meta/frameworks/<id>/tasks/<id>/task.json`: a task and the executor it was given to. */
  'checkpoint.Task': Type.Object({
    info: TaskInfoSchema,
    executor_id: Type.String({ minLength: 1 }),
    executor_kind: Type.Union([Type.Literal('command'), Type.Literal('default'), Type.Literal('custom')]),
  }, { additionalProperties: false }),
  /** One line of `meta/frameworks/<id>/tasks/<id>/updates`: an update taken, or the ack of one. */
  'checkpoint.UpdateRecord': Type.Object({
    update: Type.Optional(TaskStatusSchema),
    ack: Type.Optional(Type.String({ minLength: 1 })),
  }, { additionalProperties: false }),
} as const;

export type AgentCheckpoint = Static<(typeof checkpointSchemas)['checkpoint.Agent']>;
export type ExecutorHostCheckpoint = Static<(typeof checkpointSchemas)['checkpoint.ExecutorHost']>;
export type FrameworkCheckpoint = Static<(typeof checkpointSchemas)['checkpoint.Framework']>;
export type ExecutorCheckpoint = Static<(typeof checkpointSchemas)['checkpoint.Executor']>;
export type TaskCheckpoint = Static<(typeof checkpointSchemas)['checkpoint.Task']>;
export type UpdateRecord = Static<(typeof checkpointSchemas)['checkpoint.UpdateRecord']>;
