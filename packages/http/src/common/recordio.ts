/**
 * RecordIO, Mesos's framing of streamed events: each record is its length in bytes, a newline,
 * then the record (here JSON). See Mesos's docs/recordio.md.
 */
export function recordIO(record: unknown): string {
  const json = JSON.stringify(record);
  return `${Buffer.byteLength(json)}\n${json}`;
}

/** Reads RecordIO from chunks cut anywhere: feed bytes in, get whole records out. */
export class RecordIODecoder {
  private buffer: Buffer = Buffer.alloc(0);

  /** The records completed by this chunk, parsed as JSON. @throws on a length that is not a number. */
  push(chunk: Uint8Array): unknown[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const out: unknown[] = [];
    for (;;) {
      const newline = this.buffer.indexOf(0x0a);
      if (newline < 0) return out;
      const header = this.buffer.subarray(0, newline).toString('ascii');
      if (!/^\d+$/.test(header)) throw new Error(`bad RecordIO length '${header}'`);
      const length = Number(header);
      if (this.buffer.length < newline + 1 + length) return out;
      out.push(JSON.parse(this.buffer.subarray(newline + 1, newline + 1 + length).toString('utf8')));
      this.buffer = this.buffer.subarray(newline + 1 + length);
    }
  }
}
