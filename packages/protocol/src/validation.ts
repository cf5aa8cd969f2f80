import AjvModule, { type ValidateFunction } from 'ajv';
import { EnvelopeSchema, type RawEnvelope } from './envelope.js';
import { isMessageType, messageCatalog, type MessageType, type Messages } from './messages/catalog.js';

// ajv ships CommonJS; under NodeNext its default export is the module namespace.
const Ajv = AjvModule.default;
const ajv = new Ajv({ allErrors: false, allowUnionTypes: true, strict: true });
const envelopeValidator = ajv.compile(EnvelopeSchema);
// Compiled on first use and kept: a process that never sees a type never pays for it.
const bodyValidators = new Map<string, ValidateFunction>();

/** The outcome of validating something off the wire. */
export type Validation<T> = { ok: true; value: T } | { ok: false; error: string };

function bodyValidator(type: MessageType): ValidateFunction {
  let validate = bodyValidators.get(type);
  if (validate === undefined) {
    validate = ajv.compile(messageCatalog[type]);
    bodyValidators.set(type, validate);
  }
  return validate;
}

/** A validated envelope: its body matches the schema of its type. */
export interface Envelope<K extends MessageType = MessageType> {
  type: K;
  from: string;
  to: string;
  id: string;
  re?: string;
  body: Messages[K];
}

/** Checks the envelope's shape, then its body against the schema of its type. */
export function validateEnvelope(candidate: unknown): Validation<Envelope> {
  if (!envelopeValidator(candidate)) {
    return { ok: false, error: `malformed envelope: ${ajv.errorsText(envelopeValidator.errors, { dataVar: 'envelope' })}` };
  }
  const envelope = candidate as RawEnvelope;
  const checked = validateBody(envelope.type, envelope.body);
  return checked.ok ? { ok: true, value: envelope as Envelope } : checked;
}

/** Checks a body against the schema of `type`; an unknown type is an error. */
export function validateBody(type: string, body: unknown): Validation<unknown> {
  if (!isMessageType(type)) return { ok: false, error: `unknown message type '${type}'` };
  const validate = bodyValidator(type);
  if (validate(body)) return { ok: true, value: body };
  return { ok: false, error: `invalid ${type}: ${ajv.errorsText(validate.errors, { dataVar: 'body' })}` };
}

/** Compiles every body validator now (for servers that want no first-message latency). */
export function precompileValidators(): void {
  for (const type of Object.keys(messageCatalog) as MessageType[]) bodyValidator(type);
}
