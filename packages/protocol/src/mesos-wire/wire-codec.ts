import type { TSchema } from '@sinclair/typebox';
import protobuf from 'protobufjs';
import { messageCatalog, type MessageType, type Messages } from '../messages/catalog.js';
import { validateBody } from '../validation.js';
import type { WireFormat } from './content-types.js';
import { checkAgainstProto } from './proto-check.js';
import { protoType, TO_JSON_SHAPE } from './proto-root.js';
import { undefinedEnumIn, undefinedEnumInFailedDecode } from './proto-unknowns.js';
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
  /** The Mesos message, by its full .proto name ('mesos.v1.scheduler.Call'). */
  readonly proto: string;
  /** The root of field paths in errors: 'call' or 'event'. */
  readonly label: string;
  /** Mesos's JSON shape → the internal shape, before the schema is applied. */
  readonly fromMesos: (message: Plain) => Plain;
  /** The internal shape → Mesos's JSON shape. */
  readonly toMesos: (message: Plain) => Plain;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/**
 * Reads a body in `format` as the internal message `spec` describes. Both formats take one path
 * once read: the message in Mesos's JSON shape is checked against the .proto as Mesos's parser
 * would, mapped to the internal shape, fitted to the schema (see conformToSchema), and validated.
 * JSON goes through protobufjs once (fromObject, toObject) so that it comes out exactly as a
 * protobuf body would: bytes as canonical base64, 64-bit integers as numbers.
 */
export function decodeWire<K extends MessageType>(spec: WireMessage<K>, body: Uint8Array, format: WireFormat): Decoded<Messages[K]> {
  const type = protoType(spec.proto);
  const read = format === 'json' ? readJson(body) : readProtobuf(type, body, spec.label);
  if (!read.ok) return read;
  const ignored: string[] = [];
  const fault = checkAgainstProto(read.value, type, spec.label, ignored);
  if (fault !== undefined) return { ok: false, error: fault };
  const mesos = format === 'json' ? type.toObject(type.fromObject(read.value), TO_JSON_SHAPE) : read.value;
  const conformed = conformToSchema(spec.fromMesos(mesos), messageCatalog[spec.internal] as TSchema, spec.label, ignored);
  if (!conformed.ok) return conformed;
  const checked = validateBody(spec.internal, conformed.value);
  if (!checked.ok) return checked;
  return { ok: true, value: conformed.value as Messages[K], ignored };
}

/**
 * Writes an internal message in `format`. JSON is the internal message as it is (its schemas
 * mirror Mesos's JSON) after the mapping rules; protobuf is checked against the .proto first,
 * since protobufjs would silently leave out what does not fit (an enum name Mesos lacks).
 * @throws when the message has no Mesos form (see mesos-mapping.ts), or does not fit the .proto.
 */
export function encodeWire<K extends MessageType>(spec: WireMessage<K>, message: Messages[K], format: WireFormat): Uint8Array {
  const mesos = spec.toMesos(message as Plain);
  if (format === 'json') return utf8Encoder.encode(JSON.stringify(mesos));
  const type = protoType(spec.proto);
  const unknown: string[] = [];
  const fault = checkAgainstProto(mesos, type, spec.label, unknown);
  if (fault !== undefined) throw new Error(`${spec.internal} has no ${spec.proto} form: ${fault}`);
  return type.encode(type.fromObject(mesos)).finish();
}

type Read = { ok: true; value: Plain } | { ok: false; error: string };

function readJson(body: Uint8Array): Read {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(body));
  } catch (err) {
    return { ok: false, error: `body is not JSON (${(err as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'body is not a JSON object' };
  return { ok: true, value: value as Plain };
}

function readProtobuf(type: protobuf.Type, body: Uint8Array, label: string): Read {
  let message: protobuf.Message;
  try {
    // Unknown fields are kept on the decoded message, to find enum numbers Mesos does not define.
    const reader = protobuf.Reader.create(body) as protobuf.Reader & { discardUnknown: boolean };
    reader.discardUnknown = false;
    message = type.decode(reader);
  } catch (err) {
    const badEnum = undefinedEnumInFailedDecode(err);
    if (badEnum !== undefined) return { ok: false, error: badEnum };
    return { ok: false, error: `body is not a ${type.fullName.replace(/^\./, '')} in protobuf (${(err as Error).message})` };
  }
  const badEnum = undefinedEnumIn(message, label);
  if (badEnum !== undefined) return { ok: false, error: badEnum };
  return { ok: true, value: type.toObject(message, TO_JSON_SHAPE) };
}
