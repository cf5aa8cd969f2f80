import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeSchedulerCall, encodeSchedulerEvent, wireFormatOf, type Messages, type WireFormat } from '@tessera/protocol';

type Call = Messages['scheduler.Call'];
type Event = Messages['scheduler.Event'];

/** One request the fake master received, as it came. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The body decoded as its Content-Type says (undefined when it does not decode). */
  call: Call | undefined;
  raw: Buffer;
}

/** How the fake master answers a SUBSCRIBE. */
export type SubscribeAnswer =
  /** 200 with a Mesos-Stream-Id and a RecordIO stream whose first record is SUBSCRIBED (unless `first: 'none'`). */
  | { kind: 'stream'; frameworkId?: string; heartbeatSeconds?: number; first?: 'subscribed' | 'none'; streamId?: string | null }
  /** Any other status, with a text body (and headers, e.g. Location). */
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> };

/** The status and text body a call is answered with. */
export interface CallAnswer {
  status: number;
  body?: string;
}

/** A SUBSCRIBE answered 200: the test writes events to it and watches it close. */
export class OpenStream {
  /** True once the client has gone away (or the master ended the stream). */
  closed = false;

  constructor(readonly streamId: string, readonly call: Call, private readonly response: http.ServerResponse, readonly format: WireFormat) {
    response.on('close', () => { this.closed = true; });
  }

  /** Writes one event as a RecordIO record in the stream's format, cut into writes at `cuts` (byte offsets into the record with its prefix). */
  async send(event: Event, cuts: readonly number[] = []): Promise<void> {
    await this.sendBytes(this.format === 'json' ? recordOf(event) : framed(encodeSchedulerEvent(event, 'protobuf')), cuts);
  }

  /** Writes raw bytes, cut at `cuts`, waiting for each piece to be flushed so that the client reads them apart. */
  async sendBytes(bytes: Buffer, cuts: readonly number[] = []): Promise<void> {
    const points = [0, ...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length];
    for (let i = 0; i + 1 < points.length; i += 1) {
      const piece = bytes.subarray(points[i]!, points[i + 1]!);
      await new Promise<void>((resolve) => this.response.write(piece, () => resolve()));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** The master ends the stream (as a master that fails over does). */
  end(): void {
    this.response.end();
  }
}

/** An event as one RecordIO record: its byte length, a newline, the JSON. */
export function recordOf(event: unknown): Buffer {
  return framed(Buffer.from(JSON.stringify(event), 'utf8'));
}

/** Bytes as one RecordIO record. */
export function framed(bytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${bytes.length}\n`, 'ascii'), bytes]);
}

/**
 * A stand-in for a Mesos master's `/api/v1/scheduler`, on node:http: records every request as it
 * came (method, path, headers, body), answers SUBSCRIBE as the test says (a RecordIO stream, or a
 * status such as 307 or 503), and answers other calls 202 unless told otherwise.
 */
export class FakeHttpMaster {
  readonly requests: ReceivedRequest[] = [];
  readonly streams: OpenStream[] = [];
  /** Decides the answer to the n-th SUBSCRIBE (0-based). */
  answerSubscribe: (call: Call, n: number) => SubscribeAnswer = () => ({ kind: 'stream' });
  /** Decides the answer to every other call (a promise holds the answer back). */
  answerCall: (call: Call) => CallAnswer | Promise<CallAnswer> = () => ({ status: 202 });
  /** Called after each call is recorded (a SUBSCRIBE once its stream is open and SUBSCRIBED written). */
  onCall: ((call: Call) => void) | undefined;
  private subscribes = 0;
  private streamCount = 0;

  private constructor(private readonly server: http.Server, readonly name: string) {}

  /** Starts a fake master on a free loopback port. */
  static async start(name = 'master'): Promise<FakeHttpMaster> {
    const server = http.createServer();
    const master = new FakeHttpMaster(server, name);
    server.on('request', (req, res) => master.onRequest(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return master;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `http://127.0.0.1:<port>`, as a driver is given it. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The calls received, in order (of one type if given). */
  calls(type?: Call['type']): Call[] {
    return this.requests.map((r) => r.call!).filter((c) => c !== undefined && (type === undefined || c.type === type));
  }

  /** Every call but SUBSCRIBE. */
  nonSubscribeCalls(): Call[] {
    return this.calls().filter((c) => c.type !== 'SUBSCRIBE');
  }

  /** The requests that carried calls other than SUBSCRIBE. */
  callRequests(): ReceivedRequest[] {
    return this.requests.filter((r) => r.call !== undefined && r.call.type !== 'SUBSCRIBE');
  }

  /** The latest stream (undefined before the first). */
  get stream(): OpenStream | undefined {
    return this.streams[this.streams.length - 1];
  }

  async stop(): Promise<void> {
    for (const stream of this.streams) if (!stream.closed) stream.end();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const call = decodeBody(raw, req.headers['content-type']);
      this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, call, raw });
      if (call?.type === 'SUBSCRIBE') {
        this.onSubscribe(call, res, wireFormatOf(req.headers['accept']) ?? 'json');
        return this.onCall?.(call);
      }
      void Promise.resolve(call === undefined ? { status: 400, body: 'Failed to parse body' } : this.answerCall(call)).then((answer) => {
        res.writeHead(answer.status, { 'Content-Type': 'text/plain' }).end(answer.body ?? '');
      });
      if (call !== undefined) this.onCall?.(call);
    });
  }

  private onSubscribe(call: Call, res: http.ServerResponse, format: WireFormat): void {
    const answer = this.answerSubscribe(call, this.subscribes++);
    if (answer.kind === 'status') {
      res.writeHead(answer.status, { 'Content-Type': 'text/plain', ...answer.headers }).end(answer.body ?? '');
      return;
    }
    this.streamCount += 1;
    const streamId = answer.streamId === undefined ? `${this.name}-stream-${this.streamCount}` : answer.streamId;
    const type = format === 'json' ? 'application/json' : 'application/x-protobuf';
    res.writeHead(200, { 'Content-Type': type, ...(streamId === null ? {} : { 'Mesos-Stream-Id': streamId }) });
    res.flushHeaders();
    const stream = new OpenStream(streamId ?? '', call, res, format);
    this.streams.push(stream);
    if (answer.first === 'none') return;
    const id = call.framework_id?.value ?? answer.frameworkId ?? 'fw-0001';
    void stream.send({
      type: 'SUBSCRIBED',
      subscribed: { framework_id: { value: id }, heartbeat_interval_seconds: answer.heartbeatSeconds ?? 15, master_info: { id: this.name, ip: 0x0100007f, port: this.port, hostname: '127.0.0.1' } },
    });
  }
}

/**
 * A request body as the call it carries. JSON is parsed as it is, so that tests see exactly what
 * the driver wrote; protobuf goes through protocol's codec.
 */
function decodeBody(raw: Buffer, contentType: string | undefined): Call | undefined {
  if (wireFormatOf(contentType) === 'protobuf') {
    const decoded = decodeSchedulerCall(raw, 'protobuf');
    return decoded.ok ? decoded.value : undefined;
  }
  try {
    return JSON.parse(raw.toString('utf8')) as Call;
  } catch {
    return undefined;
  }
}
