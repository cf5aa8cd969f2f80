import { Type, type Static } from '@sinclair/typebox';
import { PID_PATTERN } from '../envelope.js';
import { ResourcesSchema } from '../resources/resource-schema.js';
import { AgentInfoSchema } from './mesos-types.js';

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
  /** A role's quota guarantee. */
  'registry.Quota': Type.Object({ guarantee: ResourcesSchema }, { additionalProperties: false }),
  /** The maintenance schedule: windows of machines and their unavailability (issue 6 gives it meaning). */
  'registry.Maintenance': Type.Object({ windows: Type.Array(Type.Unknown(), { maxItems: 10_000 }) }, { additionalProperties: false }),
} as const;

export type RegistryAgent = Static<(typeof registrySchemas)['registry.Agent']>;
