import { Type, type Static } from '@sinclair/typebox';
import { ResourcesSchema } from '../resources/index.js';
import { Closed } from './closed.js';
import { IdSchema } from './mesos-types.js';
import { DurationInfoSchema } from './scheduler-types.js';

// Mesos's maintenance primitives (include/mesos/v1/maintenance/maintenance.proto and the
// Unavailability, MachineID and InverseOffer messages of mesos.proto), with the same field names.

/** A point in time as Mesos writes it: nanoseconds since the epoch. */
export const TimeInfoSchema = Closed({ nanoseconds: Type.Integer() });
export type TimeInfo = Static<typeof TimeInfoSchema>;

/** A machine, by hostname and/or IP (at least one of them). */
export const MachineIdSchema = Type.Object(
  { hostname: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })), ip: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
  { additionalProperties: false, minProperties: 1 },
);
export type MachineId = Static<typeof MachineIdSchema>;

/** When machines go away: from `start`, for `duration` (for ever when absent). */
export const UnavailabilitySchema = Closed({ start: TimeInfoSchema, duration: Type.Optional(DurationInfoSchema) });
export type Unavailability = Static<typeof UnavailabilitySchema>;

/** Machines that share one unavailability. */
export const MaintenanceWindowSchema = Closed({ machine_ids: Type.Array(MachineIdSchema, { minItems: 1, maxItems: 10_000 }), unavailability: UnavailabilitySchema });
export type MaintenanceWindow = Static<typeof MaintenanceWindowSchema>;

/** The whole maintenance schedule; a machine appears in at most one window. */
export const MaintenanceScheduleSchema = Closed({ windows: Type.Array(MaintenanceWindowSchema, { maxItems: 10_000 }) });
export type MaintenanceSchedule = Static<typeof MaintenanceScheduleSchema>;

/** How a framework answered an inverse offer. */
export const InverseOfferStatusSchema = Closed({
  status: Type.Union([Type.Literal('UNKNOWN'), Type.Literal('DECLINE'), Type.Literal('ACCEPT')]),
  framework_id: IdSchema,
  timestamp: TimeInfoSchema,
});
export type InverseOfferStatus = Static<typeof InverseOfferStatusSchema>;

/** The maintenance status: machines draining (with their frameworks' answers) and machines down. */
export const MaintenanceClusterStatusSchema = Closed({
  draining_machines: Type.Array(Closed({ id: MachineIdSchema, statuses: Type.Array(InverseOfferStatusSchema) })),
  down_machines: Type.Array(MachineIdSchema),
});
export type MaintenanceClusterStatus = Static<typeof MaintenanceClusterStatusSchema>;

/** A request that a framework give back what it holds on an agent, for its unavailability. */
export const InverseOfferSchema = Closed({
  id: IdSchema,
  url: Type.Optional(Type.String()),
  framework_id: IdSchema,
  agent_id: Type.Optional(IdSchema),
  unavailability: UnavailabilitySchema,
  resources: Type.Optional(ResourcesSchema),
});
export type InverseOffer = Static<typeof InverseOfferSchema>;
