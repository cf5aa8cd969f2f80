import { Type, type Static } from '@sinclair/typebox';
import { ResourcesSchema, ValueScalarSchema } from '../resources/index.js';
import { Closed } from './closed.js';
import { IdSchema } from './mesos-types.js';
import { MachineIdSchema, MaintenanceScheduleSchema } from './operator-maintenance.js';
import { DurationInfoSchema } from './scheduler-types.js';

/** The v1 operator calls Tessera's master answers (include/mesos/v1/master/master.proto, Call.Type). */
export const OPERATOR_CALL_TYPES = [
  'GET_HEALTH', 'GET_FLAGS', 'GET_VERSION', 'GET_METRICS', 'GET_STATE', 'GET_AGENTS', 'GET_FRAMEWORKS', 'GET_EXECUTORS',
  'GET_TASKS', 'GET_ROLES', 'GET_WEIGHTS', 'UPDATE_WEIGHTS', 'GET_MASTER', 'SUBSCRIBE', 'RESERVE_RESOURCES',
  'UNRESERVE_RESOURCES', 'GET_MAINTENANCE_STATUS', 'GET_MAINTENANCE_SCHEDULE', 'UPDATE_MAINTENANCE_SCHEDULE',
  'START_MAINTENANCE', 'STOP_MAINTENANCE', 'DRAIN_AGENT', 'DEACTIVATE_AGENT', 'REACTIVATE_AGENT', 'GET_QUOTA',
  'UPDATE_QUOTA', 'SET_QUOTA', 'REMOVE_QUOTA', 'TEARDOWN', 'MARK_AGENT_GONE',
] as const;
export type OperatorCallType = (typeof OPERATOR_CALL_TYPES)[number];

const Role = Type.String({ minLength: 1, maxLength: 512 });
const AgentIdPayload = Closed({ agent_id: IdSchema });
/** Mesos's `map<string, Value.Scalar>` of QuotaConfig: `{"cpus": {"value": 4}}`. */
const ScalarMapSchema = Type.Record(Type.String({ minLength: 1 }), ValueScalarSchema);

/** A role's weight (WeightInfo). The master, not the schema, refuses a weight that is not positive, to say so. */
export const WeightInfoSchema = Closed({ role: Role, weight: Type.Number() });
export type WeightInfo = Static<typeof WeightInfoSchema>;

/** A role's quota (QuotaConfig, Mesos 1.9+): guaranteed and limited quantities by resource name. */
export const QuotaConfigSchema = Closed({ role: Role, guarantees: Type.Optional(ScalarMapSchema), limits: Type.Optional(ScalarMapSchema) });
export type QuotaConfig = Static<typeof QuotaConfigSchema>;

/**
 * A v1 operator Call, as POSTed to /api/v1: `type` names the call; its payload sits in the field
 * of the same name in lower case (`{"type":"TEARDOWN","teardown":{"framework_id":{"value":"..."}}}`).
 */
export const OperatorCallSchema = Closed({
  type: Type.Union(OPERATOR_CALL_TYPES.map((t) => Type.Literal(t))),
  get_metrics: Type.Optional(Closed({ timeout: Type.Optional(DurationInfoSchema) })),
  update_weights: Type.Optional(Closed({ weight_infos: Type.Array(WeightInfoSchema, { maxItems: 10_000 }) })),
  reserve_resources: Type.Optional(Closed({ agent_id: IdSchema, source: Type.Optional(ResourcesSchema), resources: ResourcesSchema })),
  unreserve_resources: Type.Optional(Closed({ agent_id: IdSchema, resources: ResourcesSchema })),
  update_maintenance_schedule: Type.Optional(Closed({ schedule: MaintenanceScheduleSchema })),
  start_maintenance: Type.Optional(Closed({ machines: Type.Array(MachineIdSchema, { maxItems: 10_000 }) })),
  stop_maintenance: Type.Optional(Closed({ machines: Type.Array(MachineIdSchema, { maxItems: 10_000 }) })),
  drain_agent: Type.Optional(Closed({ agent_id: IdSchema, max_grace_period: Type.Optional(DurationInfoSchema), mark_gone: Type.Optional(Type.Boolean()) })),
  deactivate_agent: Type.Optional(AgentIdPayload),
  reactivate_agent: Type.Optional(AgentIdPayload),
  update_quota: Type.Optional(Closed({ force: Type.Optional(Type.Boolean()), quota_configs: Type.Array(QuotaConfigSchema, { maxItems: 10_000 }) })),
  set_quota: Type.Optional(Closed({ quota_request: Closed({ force: Type.Optional(Type.Boolean()), role: Role, guarantee: ResourcesSchema }) })),
  remove_quota: Type.Optional(Closed({ role: Role })),
  teardown: Type.Optional(Closed({ framework_id: IdSchema })),
  mark_agent_gone: Type.Optional(AgentIdPayload),
});
export type OperatorCall = Static<typeof OperatorCallSchema>;
