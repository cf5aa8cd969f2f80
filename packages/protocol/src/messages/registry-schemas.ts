import { Type, type Static } from '@sinclair/typebox';
import { PID_PATTERN } from '../envelope.js';
import { AgentInfoSchema } from './mesos-types.js';
import { QuotaConfigSchema } from './operator-calls.js';
import { MachineIdSchema, MaintenanceWindowSchema } from './operator-maintenance.js';

/**
 * What the masters' registry stores (Mesos's registry.proto): one KV entry each, validated when
 * read back. Frameworks and tasks are not stored: a new leader rebuilds them from re-registering
 * agents and re-subscribing schedulers.
 */
export const registrySchemas = {
  /** An admitted agent, with the pid it registered from. */
  'registry.Agent': Type.Object({ info: AgentInfoSchema, pid: Type.String({ pattern: PID_PATTERN }) }, { additionalProperties: false }),
  /** An agent marked unreachable or gone, and when (epoch ms). */
  'registry.Marked': Type.Object({ timestamp: Type.Number({ minimum: 0 }) }, { additionalProperties: false }),
  /** A role's weight. */
  'registry.Weight': Type.Object({ weight: Type.Number({ exclusiveMinimum: 0 }) }, { additionalProperties: false }),
  /** A role's quota (QuotaConfig: guarantees and limits by resource name). */
  'registry.Quota': QuotaConfigSchema,
  /**
   * Maintenance (Mesos's registry Schedules and MachineInfos): the schedule's windows, and the
   * machines of it that are DOWN (the others are DRAINING).
   */
  'registry.Maintenance': Type.Object(
    { windows: Type.Array(MaintenanceWindowSchema, { maxItems: 10_000 }), down_machines: Type.Optional(Type.Array(MachineIdSchema, { maxItems: 10_000 })) },
    { additionalProperties: false },
  ),
} as const;

export type RegistryAgent = Static<(typeof registrySchemas)['registry.Agent']>;
