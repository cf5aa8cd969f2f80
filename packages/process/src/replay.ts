import { readFile } from 'node:fs/promises';
import { decodeEnvelope, type RawEnvelope } from '@tessera/protocol';
import type { Clock } from './clock.js';
import type { NodePresence, Transport, TransportEvents } from './transport.js';
import { ManualClock } from './manual-clock.js';
import type { Direction, LogRecord } from './recorder.js';
import type { Runtime } from './runtime.js';
import { nodeOf } from './upid.js';

/** Reads a message log written by FileRecorder; a malformed line is an error naming its number. */
export async function readMessageLog(path: string): Promise<LogRecord[]> {
  const text = await readFile(path, 'utf8');
  const records: LogRecord[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let record: LogRecord;
    try {
      record = JSON.parse(line) as LogRecord;
    } catch (err) {
      throw new Error(`${path}:${index + 1}: not JSON: ${(err as Error).message}`);
    }
    if (typeof record.t !== 'number' || !isDirection(record.dir) || typeof record.message !== 'object') {
      throw new Error(`${path}:${index + 1}: not a message record`);
    }
    records.push(record);
  });
  return records;
}

function isDirection(value: unknown): value is Direction {
  return value === 'in' || value === 'out';
}

/** What a replay did. */
export interface ReplayReport {
  /** Messages handed to the runtime's processes. */
  delivered: number;
}

/**
 * Feeds the recorded deliveries to processes on `runtime`'s node back into it, in their
 * recorded order, through the same validation as live traffic. With a ManualClock the clock is
 * moved to each record's time first, so timers fire where they fired in the recording; the
 * runtime settles after every message, so handlers run in the same order.
 */
export async function replayMessages(records: readonly LogRecord[], runtime: Runtime): Promise<ReplayReport> {
  const clock = runtime.clock instanceof ManualClock ? runtime.clock : undefined;
  const inbound = records.filter((r) => r.dir === 'in' && nodeOf(r.message.to) === runtime.node && !regenerated(r, runtime.node));
  const origin = inbound[0]?.t ?? 0;
  const start = clock?.now() ?? 0;
  let delivered = 0;
  for (const record of inbound) {
    if (clock !== undefined) {
      const due = start + (record.t - origin);
      if (due > clock.now()) clock.advance(due - clock.now());
    }
    runtime.inject(record.message);
    delivered += 1;
    await settled(runtime);
  }
  return { delivered };
}

/**
 * A message one of the node's own processes sent to another: the replayed handlers send it
 * again, so injecting it too would deliver it twice. Posts and asks from outside any process
 * (`_post`, `_ask`) are not regenerated and are injected.
 */
function regenerated(record: LogRecord, node: string): boolean {
  const from = record.message.from;
  return nodeOf(from) === node && !from.startsWith('_post@') && !from.startsWith('_ask@');
}

async function settled(runtime: Runtime): Promise<void> {
  if (runtime.clock instanceof ManualClock) return runtime.clock.settle();
  while (!runtime.isIdle()) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * The transport of a node under replay: its peers are not there, so what it sends to other
 * nodes is kept (to compare with the recording) instead of sent, and no peer is ever lost.
 */
export class ReplayTransport implements Transport {
  /** Messages the replayed node sent to other nodes, in order. */
  readonly sent: RawEnvelope[] = [];

  constructor(readonly node: string) {}

  async start(_events: TransportEvents, _clock: Clock): Promise<void> {}

  send(_node: string, _name: string, bytes: Uint8Array): void {
    this.sent.push(decodeEnvelope(bytes) as RawEnvelope);
  }

  watch(): void {}

  unwatch(): void {}

  async probe(): Promise<NodePresence> {
    return 'unknown';
  }

  inFlight(): number {
    return 0;
  }

  async flush(): Promise<void> {}

  async stop(): Promise<void> {}
}
