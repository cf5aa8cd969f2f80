import { OperatorCallSchema } from './operator-calls.js';
import { OperatorEventSchema } from './operator-events.js';
import { OperatorResponseSchema } from './operator-responses.js';

/** The v1 operator API (master.proto): calls POSTed to /api/v1, their responses, SUBSCRIBE's events. */
export const operatorMessages = {
  'operator.Call': OperatorCallSchema,
  'operator.Response': OperatorResponseSchema,
  'operator.Event': OperatorEventSchema,
} as const;
