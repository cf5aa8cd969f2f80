import { Type } from '@sinclair/typebox';
import { Closed as Payload } from './closed.js';
import { IdSchema, OfferSchema } from './mesos-types.js';
import { InverseOfferSchema } from './operator-maintenance.js';
import { FiltersSchema, FrameworkInfoSchema, KillPolicySchema, OperationSchema, TaskStatusSchema } from './scheduler-types.js';

const Roles = Type.Array(Type.String({ minLength: 1 }));

/**
 * Mesos v1 scheduler Call (scheduler.proto), as the message a scheduler driver sends the master.
 * `type` names the call; the payload of that type sits in the field of the same name in lower
 * case. The master checks that the payload matches the type before acting.
 */
export const CallSchema = Type.Object(
  {
    framework_id: Type.Optional(IdSchema),
    type: Type.Union(
      ['SUBSCRIBE', 'TEARDOWN', 'ACCEPT', 'DECLINE', 'REVIVE', 'KILL', 'SHUTDOWN', 'ACKNOWLEDGE', 'RECONCILE', 'MESSAGE', 'SUPPRESS', 'UPDATE_FRAMEWORK', 'ACCEPT_INVERSE_OFFERS', 'DECLINE_INVERSE_OFFERS']
        .map((t) => Type.Literal(t)),
    ),
    subscribe: Type.Optional(Payload({ framework_info: FrameworkInfoSchema, suppressed_roles: Type.Optional(Roles) })),
    accept: Type.Optional(Payload({ offer_ids: Type.Array(IdSchema), operations: Type.Array(OperationSchema), filters: Type.Optional(FiltersSchema) })),
    decline: Type.Optional(Payload({ offer_ids: Type.Array(IdSchema), filters: Type.Optional(FiltersSchema) })),
    revive: Type.Optional(Payload({ roles: Type.Optional(Roles) })),
    suppress: Type.Optional(Payload({ roles: Type.Optional(Roles) })),
    kill: Type.Optional(Payload({ task_id: IdSchema, agent_id: Type.Optional(IdSchema), kill_policy: Type.Optional(KillPolicySchema) })),
    shutdown: Type.Optional(Payload({ executor_id: IdSchema, agent_id: IdSchema })),
    acknowledge: Type.Optional(Payload({ agent_id: IdSchema, task_id: IdSchema, uuid: Type.String({ minLength: 1 }) })),
    reconcile: Type.Optional(Payload({ tasks: Type.Array(Payload({ task_id: IdSchema, agent_id: Type.Optional(IdSchema) })) })),
    message: Type.Optional(Payload({ agent_id: IdSchema, executor_id: IdSchema, data: Type.String() })),
    update_framework: Type.Optional(Payload({ framework_info: FrameworkInfoSchema, suppressed_roles: Type.Optional(Roles) })),
    /** Answers to inverse offers (maintenance): the framework will, or will not, vacate the agents. */
    accept_inverse_offers: Type.Optional(Payload({ inverse_offer_ids: Type.Array(IdSchema), filters: Type.Optional(FiltersSchema) })),
    decline_inverse_offers: Type.Optional(Payload({ inverse_offer_ids: Type.Array(IdSchema), filters: Type.Optional(FiltersSchema) })),
  },
  { additionalProperties: false },
);

/**
 * Mesos v1 `MasterInfo`, as much as Tessera fills: `ip` (IPv4 as a number in network order) and
 * `port` are required by Mesos's proto, so the HTTP API writes 0 for them when they are unknown.
 */
const MasterInfoSchema = Type.Object(
  {
    id: Type.String(),
    pid: Type.Optional(Type.String()),
    hostname: Type.Optional(Type.String()),
    ip: Type.Optional(Type.Integer({ minimum: 0, maximum: 0xffff_ffff })),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65_535 })),
  },
  { additionalProperties: false },
);

/** Mesos v1 scheduler Event, as the message the master sends a scheduler driver. */
export const EventSchema = Type.Object(
  {
    type: Type.Union(['SUBSCRIBED', 'OFFERS', 'RESCIND', 'UPDATE', 'MESSAGE', 'FAILURE', 'ERROR', 'HEARTBEAT'].map((t) => Type.Literal(t))),
    subscribed: Type.Optional(Payload({ framework_id: IdSchema, heartbeat_interval_seconds: Type.Optional(Type.Number()), master_info: Type.Optional(MasterInfoSchema) })),
    offers: Type.Optional(Payload({ offers: Type.Array(OfferSchema), inverse_offers: Type.Optional(Type.Array(InverseOfferSchema)) })),
    rescind: Type.Optional(Payload({ offer_id: IdSchema })),
    update: Type.Optional(Payload({ status: TaskStatusSchema })),
    message: Type.Optional(Payload({ agent_id: IdSchema, executor_id: IdSchema, data: Type.String() })),
    failure: Type.Optional(Payload({ agent_id: Type.Optional(IdSchema), executor_id: Type.Optional(IdSchema), status: Type.Optional(Type.Integer()) })),
    error: Type.Optional(Payload({ message: Type.String() })),
  },
  { additionalProperties: false },
);

/** Scheduler driver <-> master. */
export const schedulerMessages = {
  'scheduler.Call': CallSchema,
  'scheduler.Event': EventSchema,
} as const;
