/**
 * Mesos RecordIO framing, as the master's SUBSCRIBE streams send it: each record is its length in
 * bytes (decimal ASCII), a newline, then that many bytes (JSON, or an encoded protobuf message).
 * Chunks from the network cut records anywhere, even inside the length or a multi-byte character,
 * so bytes are buffered until a whole record is there. The one decoder of the repository: the UI
 * reads text with `push`; Node clients of protobuf streams read bytes with `pushBytes`.
 */

/** A stream that does not follow the framing; nothing after it can be trusted. */
export class RecordIOError extends Error {}

/** Longest length prefix accepted: 16 digits is far beyond any real record. */
const MAX_LENGTH_DIGITS = 16;
const NEWLINE = 10;

export class RecordIODecoder {
  private buffer: Uint8Array = new Uint8Array(0);
  private readonly text = new TextDecoder('utf-8', { fatal: true });

  /**
   * Adds a chunk and answers the records it completes, as strings (UTF-8).
   * @throws RecordIOError when the length prefix is not a decimal number.
   */
  push(chunk: Uint8Array): string[] {
    return this.pushBytes(chunk).map((record) => this.text.decode(record));
  }

  /**
   * Adds a chunk and answers the records it completes, as bytes.
   * @throws RecordIOError when the length prefix is not a decimal number.
   */
  pushBytes(chunk: Uint8Array): Uint8Array[] {
    this.buffer = concat(this.buffer, chunk);
    const records: Uint8Array[] = [];
    let start = 0;
    for (;;) {
      const newline = this.buffer.indexOf(NEWLINE, start);
      if (newline < 0) {
        if (this.buffer.length - start > MAX_LENGTH_DIGITS) throw new RecordIOError('a RecordIO length prefix longer than 16 characters');
        break;
      }
      const length = parseLength(this.buffer.subarray(start, newline));
      const end = newline + 1 + length;
      if (end > this.buffer.length) break;
      // A copy: the buffer is replaced below, and a caller may keep the record.
      records.push(this.buffer.slice(newline + 1, end));
      start = end;
    }
    this.buffer = this.buffer.slice(start);
    return records;
  }

  /** Bytes held back for a record not yet complete (a stream that ends with some was cut short). */
  get pending(): number {
    return this.buffer.length;
  }
}

function parseLength(digits: Uint8Array): number {
  const text = String.fromCharCode(...digits);
  if (!/^[0-9]+$/.test(text)) throw new RecordIOError(`a RecordIO length prefix must be decimal digits, got ${JSON.stringify(text)}`);
  return Number(text);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
