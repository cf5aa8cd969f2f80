// The web UI's decoder: one RecordIO reader for every client of the stream.
import { RecordIODecoder } from '@tessera/webui/core/recordio.js';

/** Reads a SUBSCRIBE response's RecordIO records as they arrive. */
export class RecordStream {
  readonly records: any[] = [];
  private readonly decoder = new RecordIODecoder();
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private done = false;
  private pump: Promise<void>;

  constructor(response: Response) {
    this.reader = response.body!.getReader();
    this.pump = this.read();
  }

  /** Waits for the first record (from `from` on) that `match` accepts. */
  async next(match: (record: any) => boolean, from = 0, timeoutMs = 10_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.records.slice(from).find(match);
      if (found !== undefined) return found;
      if (this.done) throw new Error(`the stream ended without the record; got ${this.records.map((r) => r.type).join(', ')}`);
      if (Date.now() > deadline) throw new Error(`no matching record within ${timeoutMs} ms; got ${this.records.map((r) => r.type).join(', ')}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  get ended(): boolean {
    return this.done;
  }

  async cancel(): Promise<void> {
    await this.reader.cancel();
    await this.pump.catch(() => undefined);
  }

  private async read(): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await this.reader.read();
        if (done) break;
        this.records.push(...this.decoder.push(value).map((record) => JSON.parse(record)));
      }
    } finally {
      this.done = true;
    }
  }
}
