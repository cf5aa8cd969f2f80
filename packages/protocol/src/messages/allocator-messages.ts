import { Type } from '@sinclair/typebox';
import { ResourcesSchema, ValueScalarSchema } from '../resources/index.js';

const Id = Type.String({ minLength: 1, maxLength: 256 });
const Role = Type.String({ minLength: 1, maxLength: 512 });
const Roles = Type.Array(Role, { maxItems: 256 });
/** Mesos's `map<string, Value.Scalar>`, as in QuotaConfig: `{"cpus": {"value": 4}}`. */
const ScalarMap = Type.Record(Type.String({ minLength: 1 }), ValueScalarSchema);

/**
 * What the master tells the allocator (as Mesos's master calls its allocator), and the offers
 * the allocator hands back. Resources held by frameworks carry `allocation_info`.
 */
export const allocatorMessages = {
  'allocator.AddAgent': Type.Object(
    {
      agent_id: Id,
      hostname: Type.String({ minLength: 1 }),
      resources: ResourcesSchema,
      used: Type.Optional(Type.Array(Type.Object({ framework_id: Id, resources: ResourcesSchema }, { additionalProperties: false }))),
    },
    { additionalProperties: false },
  ),
  'allocator.RemoveAgent': Type.Object({ agent_id: Id }, { additionalProperties: false }),
  /** A new total for the agent. */
  'allocator.UpdateAgent': Type.Object({ agent_id: Id, resources: ResourcesSchema }, { additionalProperties: false }),
  'allocator.SetAgentActive': Type.Object({ agent_id: Id, active: Type.Boolean() }, { additionalProperties: false }),
  'allocator.AddFramework': Type.Object(
    {
      framework_id: Id,
      roles: Type.Array(Role, { minItems: 1, maxItems: 256 }),
      active: Type.Optional(Type.Boolean()),
      suppressed_roles: Type.Optional(Roles),
      used: Type.Optional(Type.Array(Type.Object({ agent_id: Id, resources: ResourcesSchema }, { additionalProperties: false }))),
    },
    { additionalProperties: false },
  ),
  'allocator.RemoveFramework': Type.Object({ framework_id: Id }, { additionalProperties: false }),
  'allocator.SetFrameworkActive': Type.Object({ framework_id: Id, active: Type.Boolean() }, { additionalProperties: false }),
  'allocator.UpdateFramework': Type.Object(
    { framework_id: Id, roles: Type.Array(Role, { minItems: 1, maxItems: 256 }), suppressed_roles: Type.Optional(Roles) },
    { additionalProperties: false },
  ),
  /** No more offers in these roles (every role of the framework when empty). */
  'allocator.Suppress': Type.Object({ framework_id: Id, roles: Type.Optional(Roles) }, { additionalProperties: false }),
  /** Offers again in these roles (every role when empty), their filters dropped. */
  'allocator.Revive': Type.Object({ framework_id: Id, roles: Type.Optional(Roles) }, { additionalProperties: false }),
  /** Resources a framework gives back (declined, rescinded, tasks ended); with a refusal filter. */
  'allocator.Recover': Type.Object(
    { framework_id: Id, agent_id: Id, resources: ResourcesSchema, refuse_seconds: Type.Optional(Type.Number()) },
    { additionalProperties: false },
  ),
  /** A RESERVE or UNRESERVE accepted from an offer: `from` becomes `to` on the agent. */
  'allocator.Transform': Type.Object(
    { framework_id: Id, agent_id: Id, from: ResourcesSchema, to: ResourcesSchema },
    { additionalProperties: false },
  ),
  'allocator.UpdateWeights': Type.Object(
    { weights: Type.Array(Type.Object({ role: Role, weight: Type.Number({ exclusiveMinimum: 0 }) }, { additionalProperties: false })) },
    { additionalProperties: false },
  ),
  /** A role's quota, as Mesos's QuotaConfig; both maps empty or absent removes it. */
  'allocator.UpdateQuota': Type.Object(
    { role: Role, guarantees: Type.Optional(ScalarMap), limits: Type.Optional(ScalarMap) },
    { additionalProperties: false },
  ),
  /** Run a pass over every agent now. */
  'allocator.Allocate': Type.Object({}, { additionalProperties: false }),
  /** Offers of one pass (split in chunks), each for one framework in one role on one agent. */
  'allocator.Offers': Type.Object(
    {
      offers: Type.Array(
        Type.Object({ framework_id: Id, agent_id: Id, hostname: Type.String(), role: Role, resources: ResourcesSchema }, { additionalProperties: false }),
      ),
    },
    { additionalProperties: false },
  ),
  'allocator.GetMetrics': Type.Object({}, { additionalProperties: false }),
  'allocator.Metrics': Type.Object({ metrics: Type.Record(Type.String(), Type.Number()) }, { additionalProperties: false }),
} as const;
