import { writtenJson, type StateJsonParts } from '@tessera/master';
import type { Defer } from './shared-computation.js';

/**
 * JSON text encoded between two yields to the event loop: ~8 ms of work on this machine. Each
 * yield lets a turn of the master's in (up to 10 ms of its messages), so fewer, larger slices
 * finish a 44 MiB /state sooner; 4 MiB keeps a slice well under /health's 20 ms.
 */
export const SLICE_CHARS = 4 << 20;
/** Tasks written (not kept from an earlier build) between two yields: ~5-10 µs each. */
export const SLICE_WRITES = 1_000;

/** Encoded JSON as the buffers it was written in (in order), and their total length. */
export interface EncodedJson {
  chunks: readonly Buffer[];
  length: number;
}

/**
 * Encodes JSON parts (strings; bytes written before; lists of items' JSON to write as arrays,
 * written here when they are not yet) to UTF-8, a slice of about `sliceChars` characters (or
 * `sliceWrites` items written) at a time, giving the event loop back between slices: at 40 MiB a
 * /state encoded at once held the master's loop for seconds, /health and the master's own
 * messages behind it. The result stays in the buffers it was written in: joining 40 MiB into one
 * took ~25 ms of copying a build. A list that asks to keep its bytes gets them, in one buffer.
 * The parts are immutable, or tasks copied as they were when the parts were taken, so the result
 * is that one snapshot however many turns the encoding spans.
 */
export async function encodeInSlices(parts: StateJsonParts, defer: Defer = setImmediate, sliceChars = SLICE_CHARS, sliceWrites = SLICE_WRITES): Promise<EncodedJson> {
  const chunks: Buffer[] = [];
  let length = 0;
  let pending: string[] = [];
  let pendingChars = 0;
  let writes = 0;
  const push = (chunk: Buffer): void => {
    chunks.push(chunk);
    length += chunk.length;
  };
  // What waits goes to bytes, as a chunk of its own.
  const cut = (): void => {
    if (pendingChars > 0) push(Buffer.from(pending.join('')));
    pending = [];
    pendingChars = 0;
    writes = 0;
  };
  // True when a slice is full and went to bytes: the caller then yields.
  const take = (text: string): boolean => {
    pending.push(text);
    pendingChars += text.length;
    if (pendingChars < sliceChars && writes < sliceWrites) return false;
    cut();
    return true;
  };
  const yieldTurn = (): Promise<void> => new Promise<void>((resolve) => defer(resolve));
  for (const part of parts) {
    if (typeof part === 'string') {
      if (take(part)) await yieldTurn();
      continue;
    }
    if (Buffer.isBuffer(part)) {
      cut();
      push(part);
      continue;
    }
    // A list to keep is cut apart from its neighbours, so that its chunks are exactly its bytes.
    if (part.keep !== undefined) cut();
    const first = chunks.length;
    take('[');
    for (let i = 0; i < part.items.length; i++) {
      const kept = part.items[i]!;
      if (typeof kept !== 'string') writes += 1;
      const json = writtenJson(kept);
      if (take(i === 0 ? json : `,${json}`)) await yieldTurn();
    }
    take(']');
    if (part.keep === undefined) continue;
    cut();
    const own = chunks.splice(first);
    const bytes = own.length === 1 ? own[0]! : Buffer.concat(own);
    chunks.push(bytes);
    part.keep(bytes);
  }
  cut();
  return { chunks, length };
}
