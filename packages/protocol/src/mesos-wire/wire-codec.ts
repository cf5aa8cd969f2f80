import type { TSchema } from '@sinclair/typebox';
import { messageCatalog, type MessageType, type Messages } from '../messages/catalog.js';
import { validateBody } from '../validation.js';
import type { WireFormat } from './content-types.js';
import { conformToSchema } from './schema-conform.js';

/**
 * A body read off the wire: the internal message, validated against its schema, and the paths of
 * the fields Mesos defines that Tessera does not model (dropped, as Mesos drops unknown fields);
 * or a one-line reason naming the field at fault.
 */
export type Decoded<T> = { ok: true; value: T; ignored: string[] } | { ok: false; error: string };

type Plain = Record<string, unknown>;

/** How one internal message type travels as a Mesos v1 message. */
export interface WireMessage<K extends MessageType> {
  /** The internal message type, whose schema is the one source of truth. */
  readonly internal: K;
  /** The root of field paths in errors: 'call' or 'event'. */
  readonly label: string;
  /** Mesos's JSON shape → the internal shape, before the schema is applied. */
  readonly fromMesos: (message: Plain) => Plain;
  /** The internal shape → Mesos's JSON shape. */
  readonly toMesos: (message: Plain) => Plain;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** Reads a body in `format` as the internal message `spec` describes. */
export function decodeWire<K extends MessageType>(spec: WireMessage<K>, body: Uint8Array, format: WireFormat): Decoded<Messages[K]> {
  const read = format === 'json' ? readJson(body) : readProtobuf(spec, body);
  if (!read.ok) return read;
  const ignored: string[] = [];
  const conformed = conformToSchema(spec.fromMesos(read.value), messageCatalog[spec.internal] as TSchema, spec.label, ignored);
  if (!conformed.ok) return conformed;
  const checked = validateBody(spec.internal, conformed.value);
  if (!checked.ok) return checked;
  return { ok: true, value: conformed.value as Messages[K], ignored };
}

/**
 * Writes an internal message in `format`.
 * @throws when the message has no Mesos form (see the mapping rules in mesos-mapping.ts).
 */
export function encodeWire<K extends MessageType>(spec: WireMessage<K>, message: Messages[K], format: WireFormat): Uint8Array {
  const mesos = spec.toMesos(message as Plain);
  if (format === 'json') return utf8Encoder.encode(JSON.stringify(mesos));
  return writeProtobuf(spec, mesos);
}

function readJson(body: Uint8Array): { ok: true; value: Plain } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(body));
  } catch (err) {
    return { ok: false, error: `body is not JSON (${(err as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'body is not a JSON object' };
  return { ok: true, value: value as Plain };
}

function readProtobuf<K extends MessageType>(spec: WireMessage<K>, _body: Uint8Array): { ok: false; error: string } {
  return { ok: false, error: `application/x-protobuf is not supported yet for ${spec.internal}` };
}

function writeProtobuf<K extends MessageType>(spec: WireMessage<K>, _message: Plain): Uint8Array {
  throw new Error(`application/x-protobuf is not supported yet for ${spec.internal}`);
}
