import { Type, type Static } from '@sinclair/typebox';

/**
 * A process or node name: it becomes a NATS subject token, so no '.', '*', '>' or white space.
 * The one definition of a name; the runtime checks names against it too.
 */
export const NAME_PATTERN = '[A-Za-z0-9_\\-()]{1,128}';
/** A process address, `name@node`. */
export const PID_PATTERN = `^${NAME_PATTERN}@${NAME_PATTERN}$`;

/**
 * The frame around every message on the wire: who sent it to whom, what type its body has,
 * and a sender-unique id. `re` names the id of the message this one answers (an `ask` reply).
 * `epoch` is the leadership term of a sender that leads (an elected master): a receiver that
 * knows a later term ignores the message, so a deposed leader can never launch or kill.
 */
export const EnvelopeSchema = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 200 }),
    from: Type.String({ pattern: PID_PATTERN }),
    to: Type.String({ pattern: PID_PATTERN }),
    id: Type.String({ minLength: 1, maxLength: 100 }),
    re: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    epoch: Type.Optional(Type.Integer({ minimum: 0 })),
    body: Type.Unknown(),
  },
  { additionalProperties: false },
);

/** An envelope whose body has not been validated yet. */
export type RawEnvelope = Static<typeof EnvelopeSchema>;
