import { Type, type Static } from '@sinclair/typebox';

/**
 * The frame around every message on the wire: who sent it to whom, what type its body has,
 * and a sender-unique id. `re` names the id of the message this one answers (an `ask` reply).
 */
export const EnvelopeSchema = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 200 }),
    from: Type.String({ minLength: 3, maxLength: 400 }),
    to: Type.String({ minLength: 3, maxLength: 400 }),
    id: Type.String({ minLength: 1, maxLength: 100 }),
    re: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    body: Type.Unknown(),
  },
  { additionalProperties: false },
);

/** An envelope whose body has not been validated yet. */
export type RawEnvelope = Static<typeof EnvelopeSchema>;
