// A raw HTTP client of Mesos's scheduler API for the scheduler-api tests: fetch and RecordIO,
// nothing of Tessera's driver, so that the tests see the wire as a Mesos framework does.
import { decodeSchedulerEvent, encodeSchedulerCall, type Messages } from '@tessera/protocol';
import { RecordIODecoder } from '@tessera/webui/core/recordio.js';

export type Format = 'json' | 'protobuf';
export const CONTENT_TYPE: Record<Format, string> = { json: 'application/json', protobuf: 'application/x-protobuf' };
export const SCHEDULER_PATH = '/api/v1/scheduler';

/** Splits a byte stream into RecordIO records. */
export interface RecordReader {
  push(chunk: Uint8Array): Uint8Array[];
}

/** How a client writes calls and reads events in one format. */
export interface ClientCodec {
  format: Format;
  encodeCall(call: object): Uint8Array;
  decodeEvent(record: Uint8Array): any;
  newReader(): RecordReader;
}

/** The repository's RecordIO decoder (the web UI's), giving records as bytes. */
function recordReader(): RecordReader {
  const decoder = new RecordIODecoder();
  return { push: (chunk) => decoder.pushBytes(chunk) };
}

/** JSON as a Mesos framework writes it by hand. */
export const JSON_CODEC: ClientCodec = {
  format: 'json',
  encodeCall: (call) => Buffer.from(JSON.stringify(call)),
  decodeEvent: (record) => JSON.parse(Buffer.from(record).toString('utf8')),
  newReader: recordReader,
};

/** Protobuf through the protocol package's Mesos wire codecs (Tessera's copy of Mesos's .proto files). */
export const PROTOBUF_CODEC: ClientCodec = {
  format: 'protobuf',
  encodeCall: (call) => encodeSchedulerCall(call as Messages['scheduler.Call'], 'protobuf'),
  decodeEvent: (record) => {
    const decoded = decodeSchedulerEvent(record, 'protobuf');
    if (!decoded.ok) throw new Error(`an event record does not decode: ${decoded.error}`);
    return decoded.value;
  },
  newReader: recordReader,
};

/** Piece sizes every network chunk is cut into: length prefixes, records and UTF-8 characters split anywhere. */
const AWKWARD_SIZES = [1, 2, 3, 5, 7, 11, 13];

/** Cuts a chunk into pieces of the awkward sizes, cycling. */
export function awkwardPieces(chunk: Uint8Array): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let at = 0, i = 0; at < chunk.length; i += 1) {
    const size = AWKWARD_SIZES[i % AWKWARD_SIZES.length]!;
    pieces.push(chunk.subarray(at, at + size));
    at += size;
  }
  return pieces;
}

/** A SUBSCRIBE response's events as they arrive, every network chunk fed to the reader in awkward pieces. */
export class EventStream {
  readonly events: any[] = [];
  private readonly body: ReadableStreamDefaultReader<Uint8Array>;
  private readonly reader: RecordReader;
  private done = false;
  private failure: Error | undefined;
  private readonly pump: Promise<void>;

  /** Called with each event as it is read (a framework acknowledging its updates). */
  onEvent: ((event: any) => void) | undefined;

  constructor(response: Response, private readonly codec: ClientCodec) {
    this.body = response.body!.getReader();
    this.reader = codec.newReader();
    this.pump = this.read();
  }

  /** Waits for the first event from index `from` on that `match` accepts. */
  async next(match: (event: any) => boolean, from = 0, timeoutMs = 15_000): Promise<any> {
    await this.until(() => this.events.slice(from).some(match), 'a matching event', timeoutMs, true);
    return this.events.slice(from).find(match);
  }

  /** Resolves once the server has ended the stream. */
  async ended(timeoutMs = 15_000): Promise<void> {
    await this.until(() => this.done, 'the end of the stream', timeoutMs, false);
  }

  get isDone(): boolean {
    return this.done;
  }

  /** Closes the connection from the client's side. */
  async close(): Promise<void> {
    await this.body.cancel().catch(() => undefined);
    await this.pump.catch(() => undefined);
  }

  private async until(ready: () => boolean, what: string, timeoutMs: number, failOnEnd: boolean): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      const got = this.events.map((e) => e.type).join(', ');
      if (failOnEnd && this.done) throw new Error(`the stream ended (${this.failure?.message ?? 'closed by the server'}) without ${what}; got ${got}`);
      if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms; got ${got}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private async read(): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await this.body.read();
        if (done) break;
        for (const piece of awkwardPieces(value)) {
          for (const record of this.reader.push(piece)) {
            const event = this.codec.decodeEvent(record);
            this.events.push(event);
            this.onEvent?.(event);
          }
        }
      }
    } catch (err) {
      this.failure = err as Error;
    } finally {
      this.done = true;
    }
  }
}

/** An open subscription: its stream id, response and events. */
export interface Subscription {
  response: Response;
  streamId: string;
  events: EventStream;
}

/** POSTs a SUBSCRIBE and starts reading its stream (the caller checks the status). */
export async function subscribe(base: string, call: object, codec: ClientCodec = JSON_CODEC, headers: Record<string, string> = {}): Promise<Subscription> {
  const response = await fetch(`${base}${SCHEDULER_PATH}`, {
    method: 'POST',
    headers: { 'Content-Type': CONTENT_TYPE[codec.format], Accept: CONTENT_TYPE[codec.format], ...headers },
    // A Blob can be sent again, as following a 307 needs (fetch detaches a Uint8Array's buffer).
    body: new Blob([codec.encodeCall(call)]),
  });
  return { response, streamId: response.headers.get('mesos-stream-id') ?? '', events: new EventStream(response, codec) };
}

/** The answer to a call on its own connection. */
export interface CallAnswer {
  status: number;
  text: string;
  headers: Headers;
}

/** POSTs any call but SUBSCRIBE with the stream's id. */
export async function post(base: string, call: object | string | Uint8Array, options: { codec?: ClientCodec; streamId?: string; headers?: Record<string, string>; method?: string } = {}): Promise<CallAnswer> {
  const codec = options.codec ?? JSON_CODEC;
  const body = typeof call === 'string' || call instanceof Uint8Array ? call : codec.encodeCall(call);
  const response = await fetch(`${base}${SCHEDULER_PATH}`, {
    method: options.method ?? 'POST',
    redirect: 'manual',
    headers: {
      'Content-Type': CONTENT_TYPE[codec.format],
      ...(options.streamId === undefined ? {} : { 'Mesos-Stream-Id': options.streamId }),
      ...options.headers,
    },
    ...(options.method === 'GET' || options.method === 'HEAD' ? {} : { body: typeof body === 'string' ? body : new Blob([body]) }),
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}
