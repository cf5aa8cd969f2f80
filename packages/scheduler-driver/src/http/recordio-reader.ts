/**
 * Reads Mesos's RecordIO framing (docs/recordio.md) as bytes: each record is its length in
 * decimal ASCII, a newline, then that many bytes. The driver needs the bytes, not text: in a
 * protobuf stream a record is an encoded Event. (The web UI's decoder yields strings, which fits
 * JSON only.) Chunks from the network cut records anywhere, inside the length prefix too.
 */

/** A stream that breaks the framing; nothing after it can be trusted. */
export class RecordIOError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordIOError';
  }
}

/** 16 digits is far beyond any real record; a longer prefix is garbage, not a length. */
const MAX_LENGTH_DIGITS = 16;
const NEWLINE = 0x0a;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * Incremental RecordIO reader. Bytes of a record are collected as the chunks that carry them and
 * joined once, so a large record split into many chunks costs one copy.
 */
export class RecordIOReader {
  /** Digits of the length prefix read so far, while no newline has come. */
  private digits = '';
  /** The length of the record being collected, once its prefix is complete. */
  private expected: number | undefined;
  private parts: Uint8Array[] = [];
  private collected = 0;

  constructor(private readonly maxRecordBytes = 64 * 1024 * 1024) {}

  /**
   * Adds a chunk and answers the records it completes, in order.
   * @throws RecordIOError when a length prefix is not decimal digits or is too large.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    const records: Uint8Array[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.expected === undefined) {
        at = this.readPrefix(chunk, at);
        if (this.expected === 0) this.finish(records);
        continue;
      }
      const take = Math.min(this.expected - this.collected, chunk.length - at);
      this.parts.push(chunk.subarray(at, at + take));
      this.collected += take;
      at += take;
      if (this.collected === this.expected) this.finish(records);
    }
    return records;
  }

  /** True when the bytes seen so far end inside a record (a stream that ends so was cut short). */
  get midRecord(): boolean {
    return this.digits !== '' || this.expected !== undefined;
  }

  /** Reads prefix digits from `at`; sets `expected` when the newline comes. Answers where it stopped. */
  private readPrefix(chunk: Uint8Array, at: number): number {
    for (let i = at; i < chunk.length; i += 1) {
      const byte = chunk[i]!;
      if (byte === NEWLINE) {
        if (this.digits === '') throw new RecordIOError('a RecordIO record has an empty length prefix');
        const length = Number(this.digits);
        if (length > this.maxRecordBytes) throw new RecordIOError(`a RecordIO record of ${length} bytes is larger than the ${this.maxRecordBytes} allowed`);
        this.digits = '';
        this.expected = length;
        return i + 1;
      }
      if (byte < ZERO || byte > NINE) throw new RecordIOError(`a RecordIO length prefix must be decimal digits, got byte ${byte} after '${this.digits}'`);
      this.digits += String.fromCharCode(byte);
      if (this.digits.length > MAX_LENGTH_DIGITS) throw new RecordIOError(`a RecordIO length prefix longer than ${MAX_LENGTH_DIGITS} digits`);
    }
    return chunk.length;
  }

  private finish(records: Uint8Array[]): void {
    records.push(this.parts.length === 1 ? this.parts[0]!.slice() : join(this.parts, this.collected));
    this.expected = undefined;
    this.parts = [];
    this.collected = 0;
  }
}

function join(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
