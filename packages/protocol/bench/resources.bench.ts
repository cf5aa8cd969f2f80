// Resource arithmetic at allocator scale. Run after a build:
//   node packages/protocol/dist/bench/resources.bench.js
// Prints one line per case: operations per second and nanoseconds per operation.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Resources } from '../src/index.js';

/** One measured case. */
export interface BenchResult {
  name: string;
  opsPerSec: number;
  nsPerOp: number;
}

// Runs `op` in batches of `batch` for about 300 ms, after one warm-up batch, and reports the rate.
function measure(name: string, op: () => unknown, batch = 1_000): BenchResult {
  for (let i = 0; i < batch; i++) op();
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < 300) {
    for (let i = 0; i < batch; i++) op();
    ops += batch;
    elapsed = performance.now() - start;
  }
  return { name, opsPerSec: Math.round((ops / elapsed) * 1000), nsPerOp: Math.round((elapsed * 1e6) / ops) };
}

/** The resource benchmarks; each case names the allocator step it stands for. */
export function benchResources(): BenchResult[] {
  const agent = Resources.parse('cpus:16;mem:65536;disk:1000000;ports:[31000-32000];gpus:2');
  const task = Resources.parse('cpus:0.5;mem:512;ports:[31005-31005]');
  const offered = agent.withAllocation('eng');
  const agents = Array.from({ length: 10_000 }, () => agent);

  // A cluster whose reservations split resources into many entries: 3,000 roles × 3 names.
  const manyRoles = Resources.parse(
    Array.from({ length: 3_000 }, (_, i) => `cpus(r${i}):2;mem(r${i}):2048;disk(r${i}):2048`).join(';'),
  );
  const oneRole = Resources.parse('cpus(r1500):1;mem(r1500):1024');

  return [
    measure('agent add task', () => agent.add(task)),
    measure('agent subtract task', () => agent.subtract(task)),
    measure('agent contains task', () => agent.contains(task)),
    measure('agent equals itself rebuilt', () => agent.equals(offered.withoutAllocation())),
    measure('agent withAllocation', () => agent.withAllocation('eng')),
    measure('agent scalar(cpus)', () => agent.scalar('cpus')),
    measure('agent unreserved()', () => agent.unreserved()),
    measure('sum 10,000 agents', () => agents.reduce((sum, a) => sum.add(a), Resources.EMPTY), 1),
    measure('9,000-entry total subtract one role', () => manyRoles.subtract(oneRole), 10),
    measure('9,000-entry total contains one role', () => manyRoles.contains(oneRole), 10),
    measure('parse agent flags', () => Resources.parse('cpus:16;mem:65536;disk:1000000;ports:[31000-32000];gpus:2')),
    measure('of(toJSON) round trip', () => Resources.of(agent.toJSON())),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of benchResources()) {
    console.log(`${r.name.padEnd(40)} ${String(r.opsPerSec).padStart(12)} ops/s ${String(r.nsPerOp).padStart(10)} ns/op`);
  }
}
