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
