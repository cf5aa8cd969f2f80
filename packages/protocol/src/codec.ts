import { Packr } from 'msgpackr';
import type { RawEnvelope } from './envelope.js';
import { isMessageType, messageCatalog } from './messages/catalog.js';
import { wireShape, type WireShape } from './wire-shape.js';

/** Bytes that are not an encoded envelope. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

/**
 * The wire format's version, the first element of every envelope. A receiver refuses others with
 * a clear error instead of misreading them.
 */
export const WIRE_VERSION = 2;

// Plain msgpack (no record extension): any msgpack reader can read the bytes, and a receiver
// needs no structure table shared with the sender.
const packr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true });
const bodyShapes = new Map<string, WireShape>();

/** The wire shape of a type's body, compiled on first use; unknown types travel as they are. */
function bodyShape(type: unknown): WireShape | undefined {
  if (typeof type !== 'string' || !isMessageType(type)) return undefined;
  let shape = bodyShapes.get(type);
  if (shape === undefined) {
    shape = wireShape(messageCatalog[type]);
    bodyShapes.set(type, shape);
  }
  return shape;
}

/**
 * Encodes an envelope as `[version, type, from, to, id, re, epoch, body]`, the body in its type's wire
 * shape (see wire-shape.ts): positional, without property names.
 */
export function encodeEnvelope(envelope: RawEnvelope): Uint8Array {
  const shape = bodyShape(envelope.type);
  const body = shape === undefined ? envelope.body : shape.pack(envelope.body);
  return packr.pack([WIRE_VERSION, envelope.type, envelope.from, envelope.to, envelope.id, envelope.re ?? null, envelope.epoch ?? null, body]);
}

/**
 * Decodes a frame of one or more concatenated envelopes (a transport may coalesce several
 * messages to the same process into one frame). A frame is all or nothing: if it does not
 * decode, or holds anything but envelopes of this wire version, none of it is returned. The
 * envelopes still have to pass validation.
 * @throws DecodeError naming the frame's size and the problem.
 */
export function decodeEnvelopes(bytes: Uint8Array): unknown[] {
  let values: unknown[];
  try {
    values = packr.unpackMultiple(bytes) as unknown[];
  } catch (err) {
    throw new DecodeError(`undecodable message (${bytes.length} bytes): ${(err as Error).message}`);
  }
  const envelopes = new Array<unknown>(values.length);
  for (let i = 0; i < values.length; i += 1) envelopes[i] = fromWire(values[i], bytes.length);
  return envelopes;
}

/**
 * Decodes bytes holding exactly one envelope.
 * @throws DecodeError when they hold anything else.
 */
export function decodeEnvelope(bytes: Uint8Array): unknown {
  const envelopes = decodeEnvelopes(bytes);
  if (envelopes.length !== 1) throw new DecodeError(`expected one envelope, got ${envelopes.length} (${bytes.length} bytes)`);
  return envelopes[0];
}

function fromWire(value: unknown, size: number): Record<string, unknown> {
  if (!Array.isArray(value) || value.length !== 8) {
    throw new DecodeError(`undecodable message (${size} bytes): a frame holds a non-envelope value`);
  }
  if (value[0] !== WIRE_VERSION) {
    throw new DecodeError(`undecodable message (${size} bytes): wire version ${String(value[0])}, this node speaks ${WIRE_VERSION}`);
  }
  const [, type, from, to, id, re, epoch, body] = value as unknown[];
  const shape = bodyShape(type);
  const envelope: Record<string, unknown> = { type, from, to, id, body: shape === undefined ? body : shape.unpack(body) };
  if (re !== null) envelope.re = re;
  if (epoch !== null) envelope.epoch = epoch;
  return envelope;
}
