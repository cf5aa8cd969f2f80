import { Type, type Static } from '@sinclair/typebox';

// The Mesos v1 `Resource` message (include/mesos/v1/mesos.proto) as JSON, with the proto's field
// names, so that a v1 HTTP gateway passes resources through untouched. Only the fields Tessera
// uses are declared; `additionalProperties: false` makes a message with anything else invalid
// instead of silently losing the field.

/** How a resource's value is expressed: a quantity, port-like intervals, or named items. */
export const ResourceTypeSchema = Type.Union([Type.Literal('SCALAR'), Type.Literal('RANGES'), Type.Literal('SET')]);
/** `'SCALAR' | 'RANGES' | 'SET'`. */
export type ResourceType = Static<typeof ResourceTypeSchema>;

/** `Value.Scalar`: a quantity such as 1.5 cpus; Mesos keeps three decimal places. */
export const ValueScalarSchema = Type.Object({ value: Type.Number() }, { additionalProperties: false });
/** A scalar value on the wire. */
export type ValueScalar = Static<typeof ValueScalarSchema>;

/** `Value.Range`: the closed interval [begin, end], e.g. ports 31000-32000. */
export const ValueRangeSchema = Type.Object(
  { begin: Type.Integer({ minimum: 0 }), end: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);
/** One closed interval on the wire. */
export type ValueRange = Static<typeof ValueRangeSchema>;

/** `Value.Ranges`: a list of intervals. */
export const ValueRangesSchema = Type.Object({ range: Type.Array(ValueRangeSchema) }, { additionalProperties: false });
/** A list of intervals on the wire. */
export type ValueRanges = Static<typeof ValueRangesSchema>;

/** `Value.Set`: named items, e.g. zones or device ids. */
export const ValueSetSchema = Type.Object({ item: Type.Array(Type.String()) }, { additionalProperties: false });
/** A set of items on the wire. */
export type ValueSet = Static<typeof ValueSetSchema>;

/** `Label`: a key with an optional value. */
export const LabelSchema = Type.Object(
  { key: Type.String(), value: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
/** One label on the wire. */
export type Label = Static<typeof LabelSchema>;

/** `Labels`: the proto wraps the list in an object. */
export const LabelsSchema = Type.Object({ labels: Type.Array(LabelSchema) }, { additionalProperties: false });
/** A list of labels on the wire. */
export type Labels = Static<typeof LabelsSchema>;

/** STATIC reservations come from the agent's flags; DYNAMIC ones from RESERVE operations. */
export const ReservationTypeSchema = Type.Union([Type.Literal('STATIC'), Type.Literal('DYNAMIC')]);
/** `'STATIC' | 'DYNAMIC'`. */
export type ReservationType = Static<typeof ReservationTypeSchema>;

/**
 * `Resource.ReservationInfo`: one level of the reservation stack. The last entry is the role the
 * resource is reserved for; earlier ones are the ancestors it was refined from.
 */
export const ReservationInfoSchema = Type.Object(
  {
    type: ReservationTypeSchema,
    role: Type.String(),
    principal: Type.Optional(Type.String()),
    labels: Type.Optional(LabelsSchema),
  },
  { additionalProperties: false },
);
/** One reservation on the wire. */
export type ReservationInfo = Static<typeof ReservationInfoSchema>;

/** `Resource.AllocationInfo`: the role an offered or used resource is allocated to. */
export const AllocationInfoSchema = Type.Object({ role: Type.String() }, { additionalProperties: false });
/** An allocation on the wire. */
export type AllocationInfo = Static<typeof AllocationInfoSchema>;

/** `Resource.RevocableInfo`: present (and empty) on oversubscribed resources. */
export const RevocableInfoSchema = Type.Object({}, { additionalProperties: false });
/** `Resource.SharedInfo`: present (and empty) on resources several tasks may use at once. */
export const SharedInfoSchema = Type.Object({}, { additionalProperties: false });

/**
 * `Resource`: one named quantity, interval list or item set, with its reservation and allocation.
 * `role` is the pre-1.4 form of a single reservation (`'*'` meaning unreserved); Tessera reads it
 * but writes `reservations`.
 */
export const ResourceSchema = Type.Object(
  {
    name: Type.String(),
    type: ResourceTypeSchema,
    scalar: Type.Optional(ValueScalarSchema),
    ranges: Type.Optional(ValueRangesSchema),
    set: Type.Optional(ValueSetSchema),
    role: Type.Optional(Type.String()),
    reservations: Type.Optional(Type.Array(ReservationInfoSchema)),
    allocation_info: Type.Optional(AllocationInfoSchema),
    revocable: Type.Optional(RevocableInfoSchema),
    shared: Type.Optional(SharedInfoSchema),
  },
  { additionalProperties: false },
);
/** A resource on the wire. */
export type Resource = Static<typeof ResourceSchema>;

/** A list of resources, as in `Offer.resources` or `TaskInfo.resources`. */
export const ResourcesSchema = Type.Array(ResourceSchema);

/** Names Mesos and Tessera give meaning to; any other name is allowed and passed through. */
export const resourceNames = ['cpus', 'mem', 'disk', 'gpus', 'ports'] as const;
/** One of the well-known resource names. */
export type ResourceName = (typeof resourceNames)[number];
