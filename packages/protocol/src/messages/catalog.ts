import type { Static, TSchema } from '@sinclair/typebox';
import { agentMessages } from './agent-messages.js';
import { allocatorMessages } from './allocator-messages.js';
import { checkpointSchemas } from './checkpoint-schemas.js';
import { demoMessages } from './demo-messages.js';
import { executorMessages } from './executor-messages.js';
import { leaderMessages } from './leader-messages.js';
import { masterMessages } from './master-messages.js';
import { operatorMessages } from './operator-messages.js';
import { processMessages } from './process-messages.js';
import { registrySchemas } from './registry-schemas.js';
import { schedulerMessages } from './scheduler-messages.js';

/**
 * Every message type Tessera speaks, with its body schema. This is the one place a wire type is
 * declared: TS types are derived from these schemas, and validators are compiled from them.
 */
export const messageCatalog = {
  ...processMessages,
  ...demoMessages,
  ...masterMessages,
  ...leaderMessages,
  ...registrySchemas,
  ...checkpointSchemas,
  ...allocatorMessages,
  ...schedulerMessages,
  ...agentMessages,
  ...executorMessages,
  ...operatorMessages,
} as const satisfies Record<string, TSchema>;

/** The name of a message type, e.g. `'demo.Ping'`. */
export type MessageType = keyof typeof messageCatalog;

/** Maps each message type to its body's TS type. */
export type Messages = { [K in MessageType]: Static<(typeof messageCatalog)[K]> };

/** True when `type` names a message in the catalog. */
export function isMessageType(type: string): type is MessageType {
  return Object.prototype.hasOwnProperty.call(messageCatalog, type);
}
