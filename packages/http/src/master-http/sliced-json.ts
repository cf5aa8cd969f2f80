import type { StateJsonParts } from '@tessera/master';
import type { Defer } from './shared-computation.js';

/** JSON text encoded between two yields to the event loop: ~2-4 ms of work on this machine. */
export const SLICE_CHARS = 1 << 20;

/**
 * Encodes JSON parts (strings, and lists of JSON to write as arrays) to UTF-8 bytes, a slice of
 * about `sliceChars` characters at a time, giving the event loop back between slices: at 40 MiB
 * a /state encoded at once held the master's loop for a second, /health and the master's own
 * messages behind it. The parts are immutable strings, so the result is the snapshot they were
 * taken as, however many turns the encoding spans.
 */
export async function encodeInSlices(parts: StateJsonParts, defer: Defer = setImmediate, sliceChars = SLICE_CHARS): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let pending: string[] = [];
  let pendingChars = 0;
  // True when a slice is full and went to bytes: the caller then yields.
  const take = (text: string): boolean => {
    pending.push(text);
    pendingChars += text.length;
    if (pendingChars < sliceChars) return false;
    chunks.push(Buffer.from(pending.join('')));
    pending = [];
    pendingChars = 0;
    return true;
  };
  const yieldTurn = (): Promise<void> => new Promise<void>((resolve) => defer(resolve));
  for (const part of parts) {
    if (typeof part === 'string') {
      if (take(part)) await yieldTurn();
      continue;
    }
    take('[');
    for (let i = 0; i < part.length; i++) if (take(i === 0 ? part[i]! : `,${part[i]!}`)) await yieldTurn();
    if (take(']')) await yieldTurn();
  }
  chunks.push(Buffer.from(pending.join('')));
  return Buffer.concat(chunks);
}
