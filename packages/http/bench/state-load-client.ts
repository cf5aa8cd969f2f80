/**
 * The load side of state-under-load, in a process of its own so that its parsing and sockets do
 * not share the master's event loop: probes /health alone, then again while `clients` loops
 * fetch /state back to back. The loops run in a worker thread: in the prober's own thread, their
 * reading of 20 bodies of 40 MiB (issue 9's size) held the prober's event loop too, and its
 * /health latencies were the client's as much as the master's. Prints one JSON line with the
 * figures. `--same-thread` puts the loops back beside the prober (the earlier measurement).
 *   node state-load-client.js <base-url> <clients> <probes> [--same-thread]
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const [base, clientsArg, probesArg] = isMainThread ? process.argv.slice(2) : (workerData as string[]);
const clients = Number(clientsArg);
const probes = Number(probesArg);
const sameThread = process.argv.includes('--same-thread');

async function probeHealth(count: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const response = await fetch(`${base}/health`);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`/health answered ${response.status}`);
    latencies.push(performance.now() - started);
  }
  return latencies;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

/** Fetches /state back to back on `clients` connections until told to stop; what it saw. */
async function pollState(stop: Promise<void>, started: () => void): Promise<{ latencies: number[]; bytes: number }> {
  let running = true;
  void stop.then(() => { running = false; });
  const latencies: number[] = [];
  let bytes = 0;
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      const began = performance.now();
      const response = await fetch(`${base}/state`);
      const body = await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`/state answered ${response.status}`);
      bytes = body.byteLength;
      latencies.push(performance.now() - began);
      // Every client has had an answer: the load is on.
      if (latencies.length === clients) started();
    }
  });
  await Promise.all(loops);
  return { latencies, bytes };
}

if (!isMainThread) {
  const stop = new Promise<void>((resolve) => parentPort!.once('message', () => resolve()));
  parentPort!.postMessage({ result: await pollState(stop, () => parentPort!.postMessage({ started: true })) });
  process.exit(0);
}

await probeHealth(50);
const idle = await probeHealth(probes);

let stopPolling!: () => void;
let loadOn!: () => void;
const stopped = new Promise<void>((resolve) => { stopPolling = resolve; });
const on = new Promise<void>((resolve) => { loadOn = resolve; });
let polled: Promise<{ latencies: number[]; bytes: number }>;
if (sameThread) {
  polled = pollState(stopped, loadOn);
} else {
  const worker = new Worker(new URL(import.meta.url), { workerData: [base, clientsArg, probesArg] });
  polled = new Promise((resolve, reject) => {
    worker.on('message', (message: { started?: true; result?: { latencies: number[]; bytes: number } }) => {
      if (message.started) loadOn();
      if (message.result !== undefined) resolve(message.result);
    });
    worker.on('error', reject);
  });
  void stopped.then(() => worker.postMessage('stop'));
}
// Let every client have a request in flight before measuring.
await on;
const loadedStarted = performance.now();
const loaded = await probeHealth(probes);
const loadedSeconds = (performance.now() - loadedStarted) / 1000;
stopPolling();
const { latencies: stateLatencies, bytes: stateBytes } = await polled;

console.log(JSON.stringify({
  idleP50: round(percentile(idle, 50)), idleP99: round(percentile(idle, 99)),
  loadedP50: round(percentile(loaded, 50)), loadedP99: round(percentile(loaded, 99)), loadedMax: round(Math.max(...loaded)),
  stateP50: round(percentile(stateLatencies, 50)), stateP99: round(percentile(stateLatencies, 99)),
  statePerSecond: Math.round(stateLatencies.length / loadedSeconds), stateBytes,
}));
