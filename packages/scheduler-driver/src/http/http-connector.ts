import http from 'node:http';
import https from 'node:https';
import type { Timer } from '@tessera/process';
import { WIRE_CONTENT_TYPE, decodeSchedulerEvent, encodeSchedulerCall, wireFormatOf, type WireFormat } from '@tessera/protocol';
import type { ConnectorContext, MasterConnector } from '../master-connector.js';
import type { Call } from '../types.js';
// The repository's one RecordIO decoder (the web UI's, which runs in Node too); bytes, for protobuf streams.
import { RecordIODecoder } from '@tessera/webui/core/recordio.js';
import { redirectTarget } from './master-url.js';

/** Redirects one SUBSCRIBE follows at once; past that it waits for the driver's next retry. */
export const MAX_REDIRECTS = 3;
/** How long leaving a subscription waits for its calls in flight before it cuts them off (ms). */
export const CALL_GRACE_MS = 5_000;
/** How much of an error answer's body goes into the message (the master puts its reason there). */
const ERROR_BODY_CHARS = 1_000;

/** One SUBSCRIBE attempt and, once the master answers 200, its event stream. */
interface Subscription {
  generation: number;
  request: http.ClientRequest;
  /** The master that took the SUBSCRIBE: calls go there. */
  master: URL;
  /** Set when the master answers 200. */
  streamId?: string;
}

interface CallInFlight {
  request: http.ClientRequest;
  answered: Promise<void>;
}

/**
 * The driver's HTTP transport, as Mesos's scheduler library does it: SUBSCRIBE is a POST whose
 * response stays open as a RecordIO stream of events; every other call is a POST of its own
 * carrying the stream's `Mesos-Stream-Id`, answered 202. Calls go one at a time on one kept-alive
 * connection, so that the master takes them in the order they were made (as the NATS path
 * guarantees). A 307 is followed at once; a 503, a 404 or a refused connection means "no master
 * here yet" and the driver's back-off retries; any other status is refused, as Mesos's library
 * turns it into an ERROR event.
 *
 * Every answer is tagged with the generation of the subscription it belongs to: after
 * `disconnect()` or a new `subscribe()`, the old stream's events and errors are dropped.
 */
export class HttpConnector implements MasterConnector {
  /** Where the next SUBSCRIBE goes: the configured master, or the leader a 307 named. */
  private target: URL;
  private generation = 0;
  private current: Subscription | undefined;
  private readonly calls = new Set<CallInFlight>();
  private readonly agents = new Map<string, { stream: http.Agent; calls: http.Agent }>();
  private closed = false;

  constructor(private readonly home: URL, private readonly format: WireFormat, private readonly context: ConnectorContext) {
    this.target = home;
  }

  get address(): string {
    return this.target.href;
  }

  subscribe(call: Call): void {
    if (this.closed) return;
    this.leave();
    this.post(call, this.generation, 0);
  }

  call(call: Call): void {
    const subscription = this.current;
    if (this.closed || subscription?.streamId === undefined) {
      this.log('warn', `dropped ${call.type}: no subscription stream is open`);
      return;
    }
    const { generation, master, streamId } = subscription;
    const body = this.encode(call, generation);
    if (body === undefined) return;
    let request!: http.ClientRequest;
    const answered = new Promise<void>((resolve) => {
      request = this.request(master, body, 'calls', { 'Mesos-Stream-Id': streamId });
      request.on('response', (response) => {
        readText(response, ERROR_BODY_CHARS).then((body) => {
          resolve();
          this.onCallAnswer(call, generation, master, response, body);
        });
      });
      request.on('error', (err) => {
        resolve();
        // The stream says whether the master is gone (it ends, or heartbeats stop); the call is lost, as a message to a dead master.
        if (generation === this.generation) this.log('warn', `${call.type} to ${master.href} failed: ${err.message}`);
      });
    });
    const inFlight = { request, answered };
    this.calls.add(inFlight);
    void answered.then(() => this.calls.delete(inFlight));
  }

  disconnect(): void {
    this.leave();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const retired = this.leave();
    await retired;
    for (const { stream, calls } of this.agents.values()) {
      stream.destroy();
      calls.destroy();
    }
    this.agents.clear();
  }

  /**
   * Ends the current subscription for the driver at once (a new generation), and for the master
   * once the calls already sent are answered: a TEARDOWN sent just before must still find its
   * stream. Calls that hang are cut off after CALL_GRACE_MS.
   */
  private leave(): Promise<void> {
    this.generation += 1;
    const old = this.current;
    this.current = undefined;
    const pending = [...this.calls];
    if (pending.length === 0) {
      old?.request.destroy();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      let timer: Timer | undefined;
      const finish = (): void => {
        timer?.cancel();
        timer = undefined;
        for (const call of pending) if (this.calls.has(call)) call.request.destroy();
        old?.request.destroy();
        resolve();
      };
      timer = this.context.clock.setTimer(CALL_GRACE_MS, finish);
      void Promise.all(pending.map((c) => c.answered)).then(finish);
    });
  }

  /** POSTs SUBSCRIBE to the target; its answer decides between stream, redirect, retry and refusal. */
  private post(call: Call, generation: number, hops: number): void {
    const master = this.target;
    const body = this.encode(call, generation);
    if (body === undefined) return;
    const request = this.request(master, body, 'stream', {});
    const subscription: Subscription = { generation, request, master };
    this.current = subscription;
    request.on('response', (response) => {
      response.on('error', () => undefined); // a cut stream is reported by 'close' below, or not at all when it is stale
      if (generation !== this.generation) return void response.destroy();
      const status = response.statusCode ?? 0;
      if (status === 200) return this.onStream(call, subscription, response);
      if (status === 307) return this.onRedirect(call, generation, hops, master, response);
      void readText(response, ERROR_BODY_CHARS).then((body) => {
        if (generation !== this.generation) return;
        const answer = `'${status} ${response.statusMessage ?? ''}'${body === '' ? '' : ` (${body})`}`;
        if (status === 503 || status === 404) return this.noMasterYet(master, `it answered ${answer}`);
        this.refuse(generation, `Received unexpected ${answer} for SUBSCRIBE from ${master.href}`);
      });
    });
    request.on('error', (err) => {
      if (generation === this.generation) this.noMasterYet(master, err.message);
    });
  }

  private onStream(call: Call, subscription: Subscription, response: http.IncomingMessage): void {
    const streamId = header(response, 'mesos-stream-id');
    if (streamId === undefined) {
      response.destroy();
      return this.refuse(subscription.generation, `the answer of ${subscription.master.href} to SUBSCRIBE has no Mesos-Stream-Id header: not a Mesos scheduler API`);
    }
    subscription.streamId = streamId;
    // The stream comes in the format the master names (Mesos answers in the one asked for).
    const format = wireFormatOf(header(response, 'content-type')) ?? this.format;
    const { generation } = subscription;
    const decoder = new RecordIODecoder();
    let ended = false;
    const end = (why: string): void => {
      if (ended) return;
      ended = true;
      this.enterIfCurrent(generation, () => this.context.events.streamEnded(why));
    };
    response.on('data', (chunk: Buffer) => {
      if (ended || generation !== this.generation) return;
      let records: Uint8Array[];
      try {
        records = decoder.pushBytes(chunk);
      } catch (err) {
        end(`the event stream of ${subscription.master.href} broke: ${(err as Error).message}`);
        return void response.destroy();
      }
      for (const record of records) {
        const decoded = decodeSchedulerEvent(record, format);
        // An event Tessera does not model (a newer Mesos master's) is skipped; the stream goes on.
        if (!decoded.ok) this.log('warn', `dropped an event of the ${call.type} stream that does not decode: ${decoded.error}`);
        else this.enterIfCurrent(generation, () => this.context.events.event(decoded.value));
      }
    });
    response.on('end', () => end(`${subscription.master.href} closed the event stream${decoder.pending > 0 ? ' in the middle of a record' : ''}`));
    response.on('error', (err) => end(`the event stream of ${subscription.master.href} failed: ${err.message}`));
    response.on('close', () => end(`the event stream of ${subscription.master.href} was cut`));
  }

  private onRedirect(call: Call, generation: number, hops: number, from: URL, response: http.IncomingMessage): void {
    response.resume();
    const location = header(response, 'location');
    const next = redirectTarget(location, from);
    if (next === undefined) return this.noMasterYet(from, `it answered 307 with no usable Location (${location ?? 'none'})`);
    this.target = next;
    if (hops + 1 > MAX_REDIRECTS) {
      this.log('warn', `SUBSCRIBE was redirected ${hops + 1} times in a row, last to ${next.href}; trying there at the next retry`);
      return;
    }
    this.log('info', `${from.href} is not the leading master; following its redirect to ${next.href}`);
    this.post(call, generation, hops + 1);
  }

  /** As Mesos's library: a master that is not ready, or not there, is retried with back-off. */
  private noMasterYet(master: URL, why: string): void {
    this.log('warn', `SUBSCRIBE to ${master.href} failed: ${why}; retrying with back-off`);
    // A leader a redirect named may be gone: the next attempt asks the configured master again.
    this.target = this.home;
  }

  private onCallAnswer(call: Call, generation: number, master: URL, response: http.IncomingMessage, body: string): void {
    const status = response.statusCode ?? 0;
    if (status === 202 || status === 200) return;
    if (generation !== this.generation) return;
    const answer = `'${status} ${response.statusMessage ?? ''}'${body === '' ? '' : ` (${body})`}`;
    if (status === 503 || status === 404 || status === 307) {
      // The master is failing over; its stream will end (or go silent) and the driver re-subscribes.
      if (status === 307) this.target = redirectTarget(header(response, 'location'), master) ?? this.target;
      return this.log('warn', `${call.type} was not taken: the master answered ${answer}`);
    }
    this.refuse(generation, `Received unexpected ${answer} for ${call.type}`);
  }

  private refuse(generation: number, message: string): void {
    this.enterIfCurrent(generation, () => this.context.events.refused(message));
  }

  /** Hands `fn` to the process if the subscription is still current then, and again when it runs. */
  private enterIfCurrent(generation: number, fn: () => void | Promise<void>): void {
    if (this.closed || generation !== this.generation) return;
    this.context.enter(() => {
      if (this.closed || generation !== this.generation) return undefined;
      return fn();
    });
  }

  /** The call's body; a call the codec cannot write is refused (to the error callback) rather than thrown into the mailbox. */
  private encode(call: Call, generation: number): Uint8Array | undefined {
    try {
      return encodeSchedulerCall(call, this.format);
    } catch (err) {
      this.refuse(generation, `cannot encode ${call.type} as ${this.format}: ${(err as Error).message}`);
      return undefined;
    }
  }

  private request(url: URL, body: Uint8Array, purpose: 'stream' | 'calls', headers: Record<string, string>): http.ClientRequest {
    const type = WIRE_CONTENT_TYPE[this.format];
    const send = url.protocol === 'https:' ? https.request : http.request;
    const request = send(url, {
      method: 'POST',
      agent: this.agent(url.protocol)[purpose],
      headers: { 'Content-Type': type, Accept: type, 'Content-Length': String(body.byteLength), ...headers },
    });
    request.end(body);
    return request;
  }

  private agent(protocol: string): { stream: http.Agent; calls: http.Agent } {
    let agents = this.agents.get(protocol);
    if (agents === undefined) {
      const Agent = protocol === 'https:' ? https.Agent : http.Agent;
      // One kept-alive socket for calls keeps them in order; the stream holds a socket of its own.
      agents = { stream: new Agent({ keepAlive: false }), calls: new Agent({ keepAlive: true, maxSockets: 1 }) };
      this.agents.set(protocol, agents);
    }
    return agents;
  }

  private log(level: 'info' | 'warn', message: string): void {
    this.context.logger.log(level, message, { pid: this.context.pid, master: this.target.href });
  }
}

function header(response: http.IncomingMessage, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The first `limit` characters of a small answer's body; never rejects. */
function readText(response: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      if (size < limit * 4) chunks.push(chunk);
      size += chunk.length;
    });
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8').slice(0, limit).trim()));
    response.on('error', () => resolve(''));
    response.on('close', () => resolve(Buffer.concat(chunks).toString('utf8').slice(0, limit).trim()));
  });
}
