import { Type, type Static } from '@sinclair/typebox';
import { ResourcesSchema } from '../resources/index.js';
import { Closed } from './closed.js';
import { AgentInfoSchema, IdSchema, OfferSchema } from './mesos-types.js';
import { QuotaConfigSchema, WeightInfoSchema } from './operator-calls.js';
import { InverseOfferSchema, MaintenanceClusterStatusSchema, MaintenanceScheduleSchema, TimeInfoSchema } from './operator-maintenance.js';
import { ExecutorInfoSchema, FrameworkInfoSchema, TaskSchema } from './scheduler-types.js';

/** An agent as GET_AGENTS reports it (Response.GetAgents.Agent). */
export const OperatorAgentSchema = Closed({
  agent_info: AgentInfoSchema,
  active: Type.Boolean(),
  deactivated: Type.Optional(Type.Boolean()),
  version: Type.String(),
  pid: Type.Optional(Type.String()),
  registered_time: Type.Optional(TimeInfoSchema),
  reregistered_time: Type.Optional(TimeInfoSchema),
  total_resources: ResourcesSchema,
  allocated_resources: ResourcesSchema,
  offered_resources: ResourcesSchema,
  drain_info: Type.Optional(Closed({
    state: Type.Union([Type.Literal('DRAINING'), Type.Literal('DRAINED')]),
    config: Closed({ max_grace_period: Type.Optional(Closed({ nanoseconds: Type.Integer({ minimum: 0 }) })), mark_gone: Type.Optional(Type.Boolean()) }),
  })),
});
export type OperatorAgent = Static<typeof OperatorAgentSchema>;

/** A framework as GET_FRAMEWORKS reports it (Response.GetFrameworks.Framework). */
export const OperatorFrameworkSchema = Closed({
  framework_info: FrameworkInfoSchema,
  active: Type.Boolean(),
  connected: Type.Boolean(),
  recovered: Type.Boolean(),
  registered_time: Type.Optional(TimeInfoSchema),
  reregistered_time: Type.Optional(TimeInfoSchema),
  unregistered_time: Type.Optional(TimeInfoSchema),
  offers: Type.Array(OfferSchema),
  inverse_offers: Type.Array(InverseOfferSchema),
  allocated_resources: ResourcesSchema,
  offered_resources: ResourcesSchema,
});
export type OperatorFramework = Static<typeof OperatorFrameworkSchema>;

export const GetAgentsSchema = Closed({ agents: Type.Array(OperatorAgentSchema), recovered_agents: Type.Array(AgentInfoSchema) });
export const GetFrameworksSchema = Closed({
  frameworks: Type.Array(OperatorFrameworkSchema),
  completed_frameworks: Type.Array(OperatorFrameworkSchema),
  recovered_frameworks: Type.Optional(Type.Array(FrameworkInfoSchema)),
});
export const GetExecutorsSchema = Closed({ executors: Type.Array(Closed({ agent_id: IdSchema, executor_info: ExecutorInfoSchema })) });
export const GetTasksSchema = Closed({
  pending_tasks: Type.Array(TaskSchema),
  tasks: Type.Array(TaskSchema),
  unreachable_tasks: Type.Array(TaskSchema),
  completed_tasks: Type.Array(TaskSchema),
});
/** GET_STATE: the four lists at once. */
export const GetStateSchema = Closed({ get_tasks: GetTasksSchema, get_executors: GetExecutorsSchema, get_frameworks: GetFrameworksSchema, get_agents: GetAgentsSchema });
export type OperatorState = Static<typeof GetStateSchema>;

/** A role (mesos.proto Role): its weight, its frameworks, what it is allocated. */
export const OperatorRoleSchema = Closed({
  name: Type.String(),
  weight: Type.Number(),
  frameworks: Type.Array(IdSchema),
  resources: ResourcesSchema,
  quota: Type.Optional(QuotaConfigSchema),
});

/** What GET_* calls answer (Response of master.proto), in the field named after the call. */
export const OperatorResponseSchema = Closed({
  type: Type.String({ minLength: 1 }),
  get_health: Type.Optional(Closed({ healthy: Type.Boolean() })),
  get_flags: Type.Optional(Closed({ flags: Type.Array(Closed({ name: Type.String(), value: Type.Optional(Type.String()) })) })),
  get_version: Type.Optional(Closed({ version_info: Closed({ version: Type.String(), build_date: Type.Optional(Type.Number()), build_time: Type.Optional(Type.Number()), build_user: Type.Optional(Type.String()), git_sha: Type.Optional(Type.String()) }) })),
  get_metrics: Type.Optional(Closed({ metrics: Type.Array(Closed({ name: Type.String(), value: Type.Optional(Type.Number()) })) })),
  get_state: Type.Optional(GetStateSchema),
  get_agents: Type.Optional(GetAgentsSchema),
  get_frameworks: Type.Optional(GetFrameworksSchema),
  get_executors: Type.Optional(GetExecutorsSchema),
  get_tasks: Type.Optional(GetTasksSchema),
  get_roles: Type.Optional(Closed({ roles: Type.Array(OperatorRoleSchema) })),
  get_weights: Type.Optional(Closed({ weight_infos: Type.Array(WeightInfoSchema) })),
  get_master: Type.Optional(Closed({ master_info: Closed({ id: Type.String(), pid: Type.Optional(Type.String()), hostname: Type.Optional(Type.String()), port: Type.Optional(Type.Integer()) }), start_time: Type.Optional(Type.Number()), elected_time: Type.Optional(Type.Number()) })),
  get_maintenance_status: Type.Optional(Closed({ status: MaintenanceClusterStatusSchema })),
  get_maintenance_schedule: Type.Optional(Closed({ schedule: MaintenanceScheduleSchema })),
  get_quota: Type.Optional(Closed({ status: Closed({ configs: Type.Array(QuotaConfigSchema) }) })),
});
export type OperatorResponse = Static<typeof OperatorResponseSchema>;
