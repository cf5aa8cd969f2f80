/**
 * Actor messaging over NATS against raw NATS, in the same run, on the same server:
 *   ask-rtt:          sequential actor `ask` round trips vs raw `request` round trips;
 *   send-throughput:  one-way actor `send` to another OS process vs raw `publish`.
 * Raw payloads are the bytes of the equivalent encoded envelope, so both sides move the same
 * number of bytes; both flush every 1,000 messages.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { NatsTransport, Process, Runtime, stderrLogger } from '@tessera/process';
import { encodeEnvelope } from '@tessera/protocol';
import { startNatsServer, stopAllNatsServers } from '@tessera/test-harness';
import { startPeer, stopPeer } from './peer-process.js';
import { median, percentile, round } from './stats.js';

const FLUSH_EVERY = 1_000;

/** Waits for the sink's Pong. */
class Waiter extends Process {
  private resolve: (() => void) | undefined;
  protected initialize(): void {
    this.install('demo.Pong', () => { this.resolve?.(); });
  }
  /** Tells `sink` to count `count` pings, then answer this process. */
  arm(sink: string, count: number): void {
    this.send(sink, 'demo.Ping', { seq: count, text: 'arm' });
  }
  next(): Promise<void> {
    return new Promise((resolve) => { this.resolve = resolve; });
  }
}

export interface AskRttResult { rawP50Us: number; actorP50Us: number; rawMeanUs: number; actorMeanUs: number; ratio: number }
export interface SendThroughputResult { rawPerS: number; actorPerS: number; ratio: number }

/** Runs both NATS benchmarks against one server and one peer process. */
export async function runNatsBenches(options: { asks: number; sends: number; rounds: number }): Promise<{ ask: AskRttResult; send: SendThroughputResult }> {
  const server = await startNatsServer();
  const peer = await startPeer(server.url);
  const runtime = await Runtime.create({ transport: new NatsTransport({ node: 'bench', servers: server.url }), logger: stderrLogger('error') });
  const raw = await connect({ servers: server.url });
  try {
    const waiter = runtime.spawn(new Waiter('waiter'));
    const ask = await askRtt(runtime, raw, options.asks, options.rounds);
    const send = await sendThroughput(runtime, raw, waiter, options.sends, options.rounds);
    return { ask, send };
  } finally {
    await raw.close();
    await runtime.stop();
    await stopPeer(peer);
    await stopAllNatsServers();
  }
}

const pingBytes = (seq: number): Uint8Array =>
  encodeEnvelope({ type: 'demo.Ping', from: 'bench@bench', to: 'sink@peer', id: `abcdef-${seq.toString(36)}`, body: { seq } });

async function askRtt(runtime: Runtime, raw: NatsConnection, count: number, rounds: number): Promise<AskRttResult> {
  const payload = pingBytes(123456);
  const rawSamples: number[] = [];
  const actorSamples: number[] = [];
  for (let round = -1; round < rounds; round += 1) {
    // Round -1 warms both paths up (JIT, connections) and is not counted.
    for (let i = 0; i < count; i += 1) {
      const t0 = performance.now();
      await raw.request('bench.raw.echo', payload, { timeout: 5_000 });
      if (round >= 0) rawSamples.push(performance.now() - t0);
    }
    for (let i = 0; i < count; i += 1) {
      const t0 = performance.now();
      await runtime.ask('echo@peer', 'demo.Ping', { seq: i }, { expect: 'demo.Pong' });
      if (round >= 0) actorSamples.push(performance.now() - t0);
    }
  }
  const sortedRaw = rawSamples.sort((a, b) => a - b);
  const sortedActor = actorSamples.sort((a, b) => a - b);
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  const rawP50Us = percentile(sortedRaw, 50) * 1000;
  const actorP50Us = percentile(sortedActor, 50) * 1000;
  return {
    rawP50Us: round(rawP50Us, 1),
    actorP50Us: round(actorP50Us, 1),
    rawMeanUs: round(mean(sortedRaw) * 1000, 1),
    actorMeanUs: round(mean(sortedActor) * 1000, 1),
    ratio: round(actorP50Us / rawP50Us, 3),
  };
}

async function sendThroughput(runtime: Runtime, raw: NatsConnection, waiter: Waiter, count: number, rounds: number): Promise<SendThroughputResult> {
  const payload = pingBytes(123456);
  const rawRates: number[] = [];
  const actorRates: number[] = [];
  const rawDone = raw.subscribe('bench.raw.done');
  const rawDoneIterator = rawDone[Symbol.asyncIterator]();
  for (let round = -1; round < rounds; round += 1) {
    await raw.request('bench.raw.arm', new TextEncoder().encode(String(count)), { timeout: 5_000 });
    let t0 = performance.now();
    for (let i = 0; i < count; i += 1) {
      raw.publish('bench.raw.sink', payload);
      if (i % FLUSH_EVERY === FLUSH_EVERY - 1) await raw.flush();
    }
    await rawDoneIterator.next();
    if (round >= 0) rawRates.push(count / ((performance.now() - t0) / 1000));

    const done = waiter.next();
    waiter.arm('sink@peer', count);
    await runtime.flush();
    t0 = performance.now();
    for (let i = 0; i < count; i += 1) {
      runtime.post('sink@peer', 'demo.Ping', { seq: i });
      if (i % FLUSH_EVERY === FLUSH_EVERY - 1) await runtime.flush();
    }
    await done;
    if (round >= 0) actorRates.push(count / ((performance.now() - t0) / 1000));
  }
  rawDone.unsubscribe();
  const rawPerS = median(rawRates);
  const actorPerS = median(actorRates);
  return { rawPerS: Math.round(rawPerS), actorPerS: Math.round(actorPerS), ratio: round(actorPerS / rawPerS, 3) };
}
