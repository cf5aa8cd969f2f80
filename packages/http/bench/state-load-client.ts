/**
 * The load side of state-under-load, in a process of its own so that its parsing and sockets do
 * not share the master's event loop: probes /health alone, then again while `clients` loops
 * fetch /state back to back. Prints one JSON line with the figures.
 *   node state-load-client.js <base-url> <clients> <probes>
 */
const [base, clientsArg, probesArg] = process.argv.slice(2);
const clients = Number(clientsArg);
const probes = Number(probesArg);

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

await probeHealth(50);
const idle = await probeHealth(probes);

let running = true;
const stateLatencies: number[] = [];
let stateBytes = 0;
const loops = Array.from({ length: clients }, async () => {
  while (running) {
    const started = performance.now();
    const response = await fetch(`${base}/state`);
    const body = await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`/state answered ${response.status}`);
    stateBytes = body.byteLength;
    stateLatencies.push(performance.now() - started);
  }
});
// Let every client have a request in flight before measuring.
while (stateLatencies.length < clients) await new Promise((resolve) => setTimeout(resolve, 10));
const loadedStarted = performance.now();
const loaded = await probeHealth(probes);
const loadedSeconds = (performance.now() - loadedStarted) / 1000;
running = false;
await Promise.all(loops);

console.log(JSON.stringify({
  idleP50: round(percentile(idle, 50)), idleP99: round(percentile(idle, 99)),
  loadedP50: round(percentile(loaded, 50)), loadedP99: round(percentile(loaded, 99)), loadedMax: round(Math.max(...loaded)),
  stateP50: round(percentile(stateLatencies, 50)), stateP99: round(percentile(stateLatencies, 99)),
  statePerSecond: Math.round(stateLatencies.length / loadedSeconds), stateBytes,
}));
