import { Type, type Static } from '@sinclair/typebox';
import {
  AllocationInfoSchema,
  ResourcesSchema,
  ValueRangesSchema,
  ValueScalarSchema,
  ValueSetSchema,
} from '../resources/index.js';

/** Mesos wraps every id in an object: `{"value": "..."}`. */
export const IdSchema = Type.Object({ value: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });
export type Id = Static<typeof IdSchema>;

/** An agent attribute (`rack:r1`, `zone:{a,b}`): like a resource value, plus TEXT. */
export const AttributeSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    type: Type.Union([Type.Literal('SCALAR'), Type.Literal('RANGES'), Type.Literal('SET'), Type.Literal('TEXT')]),
    scalar: Type.Optional(ValueScalarSchema),
    ranges: Type.Optional(ValueRangesSchema),
    set: Type.Optional(ValueSetSchema),
    text: Type.Optional(Type.Object({ value: Type.String() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type Attribute = Static<typeof AttributeSchema>;

/** A resource offer as in Mesos v1 `Offer` (mesos.proto), with the same field names. */
export const OfferSchema = Type.Object(
  {
    id: IdSchema,
    framework_id: IdSchema,
    agent_id: IdSchema,
    hostname: Type.String({ minLength: 1 }),
    resources: ResourcesSchema,
    attributes: Type.Optional(Type.Array(AttributeSchema)),
    executor_ids: Type.Optional(Type.Array(IdSchema)),
    allocation_info: Type.Optional(AllocationInfoSchema),
    /** When the agent's machine is scheduled for maintenance (Unavailability: start, duration). */
    unavailability: Type.Optional(Type.Object(
      { start: Type.Object({ nanoseconds: Type.Integer() }, { additionalProperties: false }), duration: Type.Optional(Type.Object({ nanoseconds: Type.Integer({ minimum: 0 }) }, { additionalProperties: false })) },
      { additionalProperties: false },
    )),
  },
  { additionalProperties: false },
);
export type Offer = Static<typeof OfferSchema>;

/** An agent as it describes itself (Mesos v1 `AgentInfo`); `id` once the master has admitted it. */
export const AgentInfoSchema = Type.Object(
  {
    hostname: Type.String({ minLength: 1 }),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65_535 })),
    resources: ResourcesSchema,
    attributes: Type.Optional(Type.Array(AttributeSchema)),
    id: Type.Optional(IdSchema),
  },
  { additionalProperties: false },
);
export type AgentInfo = Static<typeof AgentInfoSchema>;
