import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { PID_PATTERN } from '../envelope.js';
import { ExecutorInfoSchema, FrameworkInfoSchema, TaskInfoSchema, TaskStatusSchema } from './scheduler-types.js';

const Pid = Type.String({ pattern: PID_PATTERN });
const Id = Type.String({ minLength: 1 });
const closed = <T extends TProperties>(properties: T) => Type.Object(properties, { additionalProperties: false });
const ExecutorKind = Type.Union([Type.Literal('command'), Type.Literal('default'), Type.Literal('custom')]);

/** One run of an executor. */
const ExecutorRecordSchema = closed({
  info: ExecutorInfoSchema,
  kind: ExecutorKind,
  run_id: Id,
  directory: Id,
  /** The executor's actor, once it subscribed. */
  pid: Type.Optional(Pid),
});

/** A task and the executor it was given to. */
const TaskRecordSchema = closed({ info: TaskInfoSchema, executor_id: Id, executor_kind: ExecutorKind });

/** An event of a task's status update stream: an update taken, or the ack of one. */
const UpdateRecordSchema = closed({ update: Type.Optional(TaskStatusSchema), ack: Type.Optional(Id) });

/**
 * What an agent checkpoints under `<work_dir>/meta/nodes/<node>` (Mesos's `meta/slaves/...`) so
 * that a restart can reattach to its executors: two small files (the agent, the executor host) and
 * one append-only journal of everything else. Every file and line is validated when read back.
 */
export const checkpointSchemas = {
  /** `agent.json`: who the agent is and which boot it ran in. */
  'checkpoint.Agent': closed({
    /** The runtime node the agent ran as: executors find it again at the same pid. */
    node: Type.String({ minLength: 1, maxLength: 128 }),
    /** `/proc/sys/kernel/random/boot_id` when it was written: a different one means a reboot. */
    boot_id: Type.String({ minLength: 1, maxLength: 100 }),
    /** Set once the master admitted the agent. */
    agent_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  }),
  /** `executor-host.json`: the shared executor host OS process, to adopt after a restart. */
  'checkpoint.ExecutorHost': closed({ pid: Pid, os_pid: Type.Integer({ minimum: 1 }) }),
  /**
   * One line of `journal`: one change to what the agent runs, applied in order on recovery.
   * Removals name what they remove; a snapshot of the live state replaces the journal when it has
   * grown (compaction).
   */
  'checkpoint.JournalRecord': Type.Union([
    closed({ framework: FrameworkInfoSchema }),
    closed({ framework_removed: Id }),
    closed({ framework_id: Id, executor: ExecutorRecordSchema }),
    closed({ framework_id: Id, executor_removed: Id }),
    closed({ framework_id: Id, task: TaskRecordSchema }),
    closed({ framework_id: Id, task_id: Id, update: TaskStatusSchema }),
    closed({ framework_id: Id, task_id: Id, ack: Id }),
    closed({ framework_id: Id, task_removed: Id }),
  ]),
} as const;

export type AgentCheckpoint = Static<(typeof checkpointSchemas)['checkpoint.Agent']>;
export type ExecutorHostCheckpoint = Static<(typeof checkpointSchemas)['checkpoint.ExecutorHost']>;
export type ExecutorCheckpoint = Static<typeof ExecutorRecordSchema>;
export type TaskCheckpoint = Static<typeof TaskRecordSchema>;
export type UpdateRecord = Static<typeof UpdateRecordSchema>;
export type JournalRecord = Static<(typeof checkpointSchemas)['checkpoint.JournalRecord']>;
