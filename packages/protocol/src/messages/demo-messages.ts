import { Type } from '@sinclair/typebox';

/** Messages of the README demo and the runtime's own tests and benchmarks. */
export const demoMessages = {
  'demo.Ping': Type.Object(
    { seq: Type.Integer({ minimum: 0 }), text: Type.Optional(Type.String({ maxLength: 10_000 })) },
    { additionalProperties: false },
  ),
  'demo.Pong': Type.Object(
    { seq: Type.Integer({ minimum: 0 }), text: Type.Optional(Type.String({ maxLength: 10_000 })) },
    { additionalProperties: false },
  ),
} as const;
