import { Packr } from 'msgpackr';
import type { RawEnvelope } from './envelope.js';

/** Bytes that are not a msgpack-encoded envelope. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

// Plain msgpack maps (no record extension): any msgpack reader can read a recorded log, and a
// receiver needs no structure table shared with the sender.
const packr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true });

/** Encodes an envelope for the wire. */
export function encodeEnvelope(envelope: RawEnvelope): Uint8Array {
  return packr.pack(envelope);
}

/**
 * Decodes a frame of one or more concatenated envelopes (a transport may coalesce several
 * messages to the same process into one frame). A frame is all or nothing: if it does not
 * decode, or holds anything but objects (garbage bytes decode as stray msgpack values), no
 * envelope of it is returned.
 * @throws DecodeError naming the frame's size and the problem.
 */
export function decodeEnvelopes(bytes: Uint8Array): unknown[] {
  let values: unknown[];
  try {
    values = packr.unpackMultiple(bytes) as unknown[];
  } catch (err) {
    throw new DecodeError(`undecodable message (${bytes.length} bytes): ${(err as Error).message}`);
  }
  for (const value of values) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) {
      throw new DecodeError(`undecodable message (${bytes.length} bytes): a frame holds a non-envelope value`);
    }
  }
  return values;
}

/**
 * Decodes wire bytes into an object that still has to pass envelope validation.
 * @throws DecodeError when the bytes are not msgpack.
 */
export function decodeEnvelope(bytes: Uint8Array): unknown {
  try {
    return packr.unpack(bytes);
  } catch (err) {
    throw new DecodeError(`undecodable message (${bytes.length} bytes): ${(err as Error).message}`);
  }
}
