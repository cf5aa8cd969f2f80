import type { ErrorObject } from 'ajv';
import type { RawEnvelope } from './envelope.js';
import { validators } from './generated/validators.js';
import { isMessageType, type MessageType, type Messages } from './messages/catalog.js';

const envelopeValidator = validators['envelope']!;

/**
 * Words ajv's errors as ajv's own errorsText does ("body/task/name must be string, ..."), without
 * loading ajv's compiler: the validators are generated at build time, and an ajv instance costs
 * every process about 100 ms of CPU at start-up.
 */
function errorsText(errors: ErrorObject[] | null | undefined, dataVar: string): string {
  if (errors === null || errors === undefined || errors.length === 0) return 'No errors';
  return errors.map((e) => `${dataVar}${e.instancePath} ${e.message ?? ''}`.trimEnd()).join(', ');
}

/** The outcome of validating something off the wire. */
export type Validation<T> = { ok: true; value: T } | { ok: false; error: string };

/** A validated envelope: its body matches the schema of its type. */
export interface Envelope<K extends MessageType = MessageType> {
  type: K;
  from: string;
  to: string;
  id: string;
  re?: string;
  /** The sender's leadership term, when it leads (see EnvelopeSchema). */
  epoch?: number;
  body: Messages[K];
}

/** Checks the envelope's shape, then its body against the schema of its type. */
export function validateEnvelope(candidate: unknown): Validation<Envelope> {
  if (!envelopeValidator(candidate)) {
    return { ok: false, error: `malformed envelope: ${errorsText(envelopeValidator.errors, 'envelope')}` };
  }
  const envelope = candidate as RawEnvelope;
  const checked = validateBody(envelope.type, envelope.body);
  return checked.ok ? { ok: true, value: envelope as Envelope } : checked;
}

/**
 * Parses stored JSON (a checkpoint file, a KV entry) and checks it against `type`'s schema: the
 * one way Tessera reads back what it wrote.
 */
export function parseBody<K extends MessageType>(type: K, text: string): Validation<Messages[K]> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `is not JSON (${(err as Error).message})` };
  }
  const checked = validateBody(type, value);
  // Worded as a predicate, so that a caller can name what it read: "line 3 is not JSON (...)".
  return checked.ok ? { ok: true, value: value as Messages[K] } : { ok: false, error: `does not match its schema (${checked.error})` };
}

/** Checks a body against the schema of `type`; an unknown type is an error. */
export function validateBody(type: string, body: unknown): Validation<unknown> {
  if (!isMessageType(type)) return { ok: false, error: `unknown message type '${type}'` };
  const validate = validators[type]!;
  if (validate(body)) return { ok: true, value: body };
  return { ok: false, error: `invalid ${type}: ${errorsText(validate.errors, 'body')}` };
}
