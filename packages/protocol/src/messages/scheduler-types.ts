import { Type, type Static } from '@sinclair/typebox';
import { LabelsSchema, ResourcesSchema } from '../resources/index.js';
import { IdSchema } from './mesos-types.js';

// Mesos v1 types frameworks see (include/mesos/v1/mesos.proto, scheduler.proto), with Mesos's
// field names and enum strings, so that a v1 HTTP gateway is framing, not translation.

/** TaskState, by Mesos's names. */
export const TASK_STATES = [
  'TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_FINISHED', 'TASK_FAILED',
  'TASK_KILLED', 'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED', 'TASK_UNREACHABLE', 'TASK_GONE',
  'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN',
] as const;
export const TaskStateSchema = Type.Union(TASK_STATES.map((s) => Type.Literal(s)));
export type TaskState = Static<typeof TaskStateSchema>;

/** States after which a task never changes again. */
export const TERMINAL_TASK_STATES: ReadonlySet<TaskState> = new Set([
  'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR',
]);

/** A duration as Mesos writes it: `{"nanoseconds": N}`. */
export const DurationInfoSchema = Type.Object({ nanoseconds: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });

export const KillPolicySchema = Type.Object({ grace_period: Type.Optional(DurationInfoSchema) }, { additionalProperties: false });
export type KillPolicy = Static<typeof KillPolicySchema>;

export const EnvironmentSchema = Type.Object(
  { variables: Type.Array(Type.Object({ name: Type.String({ minLength: 1 }), value: Type.Optional(Type.String()) }, { additionalProperties: false })) },
  { additionalProperties: false },
);

/**
 * A file the fetcher puts in the sandbox before the task starts (Mesos's CommandInfo.URI): a
 * path or an http(s) URL; `extract` (default true) unpacks archives, `cache` keeps a copy for
 * other tasks, `output_file` names the file in the sandbox.
 */
export const CommandUriSchema = Type.Object(
  {
    value: Type.String({ minLength: 1, maxLength: 4096 }),
    executable: Type.Optional(Type.Boolean()),
    extract: Type.Optional(Type.Boolean()),
    cache: Type.Optional(Type.Boolean()),
    output_file: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  },
  { additionalProperties: false },
);
export type CommandUri = Static<typeof CommandUriSchema>;

/** CommandInfo: a shell command (`shell` true, the default) or an executable with `arguments`. */
export const CommandInfoSchema = Type.Object(
  {
    uris: Type.Optional(Type.Array(CommandUriSchema)),
    value: Type.Optional(Type.String({ maxLength: 65_536 })),
    shell: Type.Optional(Type.Boolean()),
    arguments: Type.Optional(Type.Array(Type.String())),
    environment: Type.Optional(EnvironmentSchema),
    user: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type CommandInfo = Static<typeof CommandInfoSchema>;

/** Mesos's RLimitInfo.RLimit.Type: which POSIX resource limit. */
export const RLIMIT_TYPES = [
  'RLMT_AS', 'RLMT_CORE', 'RLMT_CPU', 'RLMT_DATA', 'RLMT_FSIZE', 'RLMT_LOCKS', 'RLMT_MEMLOCK', 'RLMT_MSGQUEUE',
  'RLMT_NICE', 'RLMT_NOFILE', 'RLMT_NPROC', 'RLMT_RSS', 'RLMT_RTPRIO', 'RLMT_RTTIME', 'RLMT_SIGPENDING', 'RLMT_STACK',
] as const;

/**
 * One POSIX resource limit (Mesos's RLimitInfo.RLimit): `soft` and `hard` both set (soft <=
 * hard, checked by the agent), or neither for unlimited.
 */
export const RLimitSchema = Type.Object(
  {
    type: Type.Union(RLIMIT_TYPES.map((t) => Type.Literal(t))),
    hard: Type.Optional(Type.Integer({ minimum: 0 })),
    soft: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type RLimit = Static<typeof RLimitSchema>;

/**
 * Mesos's ContainerInfo, the part Tessera acts on: `type` (MESOS; DOCKER is refused by the
 * agent, which runs no Docker) and `rlimit_info` (the posix/rlimits isolator's limits).
 */
export const ContainerInfoSchema = Type.Object(
  {
    type: Type.Union([Type.Literal('DOCKER'), Type.Literal('MESOS')]),
    rlimit_info: Type.Optional(Type.Object({ rlimits: Type.Optional(Type.Array(RLimitSchema)) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type ContainerInfo = Static<typeof ContainerInfoSchema>;

export const ExecutorInfoSchema = Type.Object(
  {
    executor_id: IdSchema,
    type: Type.Optional(Type.Union([Type.Literal('DEFAULT'), Type.Literal('CUSTOM')])),
    framework_id: Type.Optional(IdSchema),
    command: Type.Optional(CommandInfoSchema),
    container: Type.Optional(ContainerInfoSchema),
    resources: Type.Optional(ResourcesSchema),
    name: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type ExecutorInfo = Static<typeof ExecutorInfoSchema>;

const Port = Type.Integer({ minimum: 0, maximum: 65_535 });
const Seconds = Type.Number({ minimum: 0 });

/**
 * Mesos's HealthCheck: a COMMAND (exit 0 is healthy), HTTP (a status in `statuses`, default
 * 200-399) or TCP (a connection) check, run by the executor after `delay_seconds` every
 * `interval_seconds`; `consecutive_failures` failures after `grace_period_seconds` kill the task.
 * The defaults (15, 10, 20 s timeout, 3, 10 s) are Mesos's.
 */
export const HealthCheckSchema = Type.Object(
  {
    type: Type.Optional(Type.Union([Type.Literal('UNKNOWN'), Type.Literal('COMMAND'), Type.Literal('HTTP'), Type.Literal('TCP')])),
    delay_seconds: Type.Optional(Seconds),
    interval_seconds: Type.Optional(Seconds),
    timeout_seconds: Type.Optional(Seconds),
    consecutive_failures: Type.Optional(Type.Integer({ minimum: 0 })),
    grace_period_seconds: Type.Optional(Seconds),
    command: Type.Optional(CommandInfoSchema),
    http: Type.Optional(Type.Object({
      protocol: Type.Optional(Type.Union([Type.Literal('IPv4'), Type.Literal('IPv6')])),
      scheme: Type.Optional(Type.String()),
      port: Port,
      path: Type.Optional(Type.String()),
      statuses: Type.Optional(Type.Array(Type.Integer({ minimum: 100, maximum: 599 }))),
    }, { additionalProperties: false })),
    tcp: Type.Optional(Type.Object({
      protocol: Type.Optional(Type.Union([Type.Literal('IPv4'), Type.Literal('IPv6')])),
      port: Port,
    }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type HealthCheck = Static<typeof HealthCheckSchema>;

export const TaskInfoSchema = Type.Object(
  {
    name: Type.String(),
    task_id: IdSchema,
    agent_id: IdSchema,
    resources: ResourcesSchema,
    executor: Type.Optional(ExecutorInfoSchema),
    command: Type.Optional(CommandInfoSchema),
    container: Type.Optional(ContainerInfoSchema),
    data: Type.Optional(Type.String()),
    kill_policy: Type.Optional(KillPolicySchema),
    health_check: Type.Optional(HealthCheckSchema),
    labels: Type.Optional(LabelsSchema),
  },
  { additionalProperties: false },
);
export type TaskInfo = Static<typeof TaskInfoSchema>;

export const TaskStatusSchema = Type.Object(
  {
    task_id: IdSchema,
    state: TaskStateSchema,
    message: Type.Optional(Type.String()),
    source: Type.Optional(Type.Union([Type.Literal('SOURCE_MASTER'), Type.Literal('SOURCE_AGENT'), Type.Literal('SOURCE_EXECUTOR')])),
    reason: Type.Optional(Type.String()),
    data: Type.Optional(Type.String()),
    agent_id: Type.Optional(IdSchema),
    executor_id: Type.Optional(IdSchema),
    timestamp: Type.Optional(Type.Number()),
    /** Base64 of 16 bytes; present when the update must be acknowledged. */
    uuid: Type.Optional(Type.String()),
    healthy: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type TaskStatus = Static<typeof TaskStatusSchema>;

export const FrameworkInfoSchema = Type.Object(
  {
    user: Type.String(),
    name: Type.String({ minLength: 1 }),
    id: Type.Optional(IdSchema),
    failover_timeout: Type.Optional(Type.Number({ minimum: 0 })),
    checkpoint: Type.Optional(Type.Boolean()),
    roles: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    hostname: Type.Optional(Type.String()),
    principal: Type.Optional(Type.String()),
    capabilities: Type.Optional(Type.Array(Type.Object({ type: Type.String() }, { additionalProperties: false }))),
    labels: Type.Optional(LabelsSchema),
  },
  { additionalProperties: false },
);
export type FrameworkInfo = Static<typeof FrameworkInfoSchema>;

/** True when the framework understands TASK_UNREACHABLE, TASK_DROPPED and the like (PARTITION_AWARE). */
export function isPartitionAware(info: FrameworkInfo | undefined): boolean {
  return info?.capabilities?.some((c) => c.type === 'PARTITION_AWARE') ?? false;
}

export const FiltersSchema = Type.Object({ refuse_seconds: Type.Optional(Type.Number()) }, { additionalProperties: false });

/** Offer.Operation: the kinds Tessera carries out. */
export const OperationSchema = Type.Object(
  {
    type: Type.Union([Type.Literal('LAUNCH'), Type.Literal('LAUNCH_GROUP'), Type.Literal('RESERVE'), Type.Literal('UNRESERVE')]),
    id: Type.Optional(IdSchema),
    launch: Type.Optional(Type.Object({ task_infos: Type.Array(TaskInfoSchema) }, { additionalProperties: false })),
    launch_group: Type.Optional(Type.Object(
      { executor: ExecutorInfoSchema, task_group: Type.Object({ tasks: Type.Array(TaskInfoSchema) }, { additionalProperties: false }) },
      { additionalProperties: false },
    )),
    reserve: Type.Optional(Type.Object({ resources: ResourcesSchema }, { additionalProperties: false })),
    unreserve: Type.Optional(Type.Object({ resources: ResourcesSchema }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type Operation = Static<typeof OperationSchema>;

/** A task as the master and agents track it (Mesos v1 `Task`): its info, where it runs, its state. */
export const TaskSchema = Type.Object(
  {
    name: Type.String(),
    task_id: IdSchema,
    framework_id: IdSchema,
    executor_id: Type.Optional(IdSchema),
    agent_id: IdSchema,
    state: TaskStateSchema,
    resources: ResourcesSchema,
    statuses: Type.Optional(Type.Array(TaskStatusSchema)),
    /** The state of the latest update the agent has not had acknowledged yet. */
    status_update_state: Type.Optional(TaskStateSchema),
    status_update_uuid: Type.Optional(Type.String()),
    labels: Type.Optional(LabelsSchema),
    kill_policy: Type.Optional(KillPolicySchema),
  },
  { additionalProperties: false },
);
export type Task = Static<typeof TaskSchema>;
