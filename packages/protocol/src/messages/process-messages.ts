import { Type } from '@sinclair/typebox';

/** Why a linked process is reported gone. */
export const ExitReasonSchema = Type.Union([
  Type.Literal('terminated'),
  Type.Literal('no-such-process'),
  Type.Literal('node-lost'),
  Type.Literal('disconnected'),
]);

/**
 * The runtime's own control messages. They are handled by the runtime of the node that
 * receives them and never reach a process's handlers.
 */
export const processMessages = {
  /** Sent to a remote process by a process that links to it, so that its node reports its exit. */
  'process.Link': Type.Object({}, { additionalProperties: false }),
  /** Withdraws an earlier link. */
  'process.Unlink': Type.Object({}, { additionalProperties: false }),
  /** The process named in `pid` has gone away; sent to every process linked to it. */
  'process.Exited': Type.Object(
    { pid: Type.String({ minLength: 3 }), reason: ExitReasonSchema },
    { additionalProperties: false },
  ),
  /** A message could not be delivered; sent back to its sender. */
  'process.Undeliverable': Type.Object(
    {
      message_id: Type.String({ minLength: 1 }),
      type: Type.String(),
      to: Type.String(),
      reason: Type.String(),
    },
    { additionalProperties: false },
  ),
} as const;
