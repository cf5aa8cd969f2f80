import { Type, type Static } from '@sinclair/typebox';
import { Closed } from './closed.js';
import { IdSchema } from './mesos-types.js';
import { GetStateSchema, OperatorAgentSchema, OperatorFrameworkSchema } from './operator-responses.js';
import { FrameworkInfoSchema, TaskSchema, TaskStateSchema, TaskStatusSchema } from './scheduler-types.js';

export const OPERATOR_EVENT_TYPES = [
  'SUBSCRIBED', 'TASK_ADDED', 'TASK_UPDATED', 'AGENT_ADDED', 'AGENT_REMOVED', 'FRAMEWORK_ADDED', 'FRAMEWORK_UPDATED',
  'FRAMEWORK_REMOVED', 'HEARTBEAT',
] as const;
export type OperatorEventType = (typeof OPERATOR_EVENT_TYPES)[number];

/** What a SUBSCRIBE stream carries (Event of master.proto), in the field named after the event. */
export const OperatorEventSchema = Closed({
  type: Type.Union(OPERATOR_EVENT_TYPES.map((t) => Type.Literal(t))),
  subscribed: Type.Optional(Closed({ get_state: GetStateSchema, heartbeat_interval_seconds: Type.Optional(Type.Number()) })),
  task_added: Type.Optional(Closed({ task: TaskSchema })),
  task_updated: Type.Optional(Closed({ framework_id: IdSchema, executor_id: Type.Optional(IdSchema), agent_id: IdSchema, state: TaskStateSchema, status: TaskStatusSchema })),
  agent_added: Type.Optional(Closed({ agent: OperatorAgentSchema })),
  agent_removed: Type.Optional(Closed({ agent_id: IdSchema })),
  framework_added: Type.Optional(Closed({ framework: OperatorFrameworkSchema })),
  framework_updated: Type.Optional(Closed({ framework: OperatorFrameworkSchema })),
  framework_removed: Type.Optional(Closed({ framework_info: FrameworkInfoSchema })),
});
export type OperatorEvent = Static<typeof OperatorEventSchema>;
