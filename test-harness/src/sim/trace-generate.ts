import { Random } from '@tessera/process';
import type { TraceJob } from './trace.js';

/** The shape of a generated workload. */
export interface GenerateTraceOptions {
  /** Frameworks `fw-1`..`fw-N` (default 10). */
  frameworks?: number;
  /** Roles `role-1`..`role-R`, given to frameworks in turn (default: as many as frameworks). */
  roles?: number;
  /** Jobs in all (default 1,000). */
  jobs?: number;
  /** Arrivals are a Poisson process over this span, in ms (default 60 s); 0: all at once. */
  spanMs?: number;
  /** Tasks per job, uniform in [min, max] (default [1, 10]). */
  tasksPerJob?: [number, number];
  /** Task durations, uniform in [min, max] ms (default [1 s, 10 s]). */
  durationMs?: [number, number];
  /** Task sizes, one picked per job (default `cpus:1;mem:1024`, `cpus:2;mem:2048`, `cpus:0.5;mem:512`). */
  sizes?: string[];
  /** Same seed, same trace (default 1). */
  seed?: number;
}

const DEFAULT_SIZES = ['cpus:1;mem:1024', 'cpus:2;mem:2048', 'cpus:0.5;mem:512'];

/**
 * A synthetic workload: jobs arriving as a Poisson process (exponential gaps with a mean of
 * span / jobs), each from a framework picked at random, with a random size, length and task
 * count. Sorted by arrival; ids `g-<n>`.
 * @throws on a bad option.
 */
export function generateTrace(options: GenerateTraceOptions = {}): TraceJob[] {
  const frameworks = options.frameworks ?? 10;
  const roles = options.roles ?? frameworks;
  const jobs = options.jobs ?? 1_000;
  const spanMs = options.spanMs ?? 60_000;
  const [minTasks, maxTasks] = options.tasksPerJob ?? [1, 10];
  const [minMs, maxMs] = options.durationMs ?? [1_000, 10_000];
  const sizes = options.sizes ?? DEFAULT_SIZES;
  for (const [name, value] of [['frameworks', frameworks], ['roles', roles], ['jobs', jobs], ['tasksPerJob min', minTasks]] as const) {
    if (!(Number.isSafeInteger(value) && value >= 1)) throw new Error(`${name} must be a whole number >= 1, got ${value}`);
  }
  if (!(Number.isSafeInteger(maxTasks) && maxTasks >= minTasks)) throw new Error(`tasksPerJob max must be a whole number >= its min, got ${maxTasks}`);
  if (!(minMs >= 0 && maxMs >= minMs)) throw new Error(`durationMs must be [min, max] with 0 <= min <= max, got [${minMs}, ${maxMs}]`);
  if (!(spanMs >= 0)) throw new Error(`spanMs must be >= 0, got ${spanMs}`);
  if (sizes.length === 0) throw new Error('sizes must name at least one task size');
  const random = new Random(options.seed ?? 1);
  const meanGapMs = spanMs / jobs;
  const out: TraceJob[] = [];
  let at = 0;
  for (let n = 1; n <= jobs; n += 1) {
    const fw = random.int(1, frameworks);
    out.push({
      at_ms: Math.round(at),
      framework: `fw-${fw}`,
      role: `role-${((fw - 1) % roles) + 1}`,
      resources: sizes[random.int(0, sizes.length - 1)]!,
      duration_ms: Math.round(minMs + random.next() * (maxMs - minMs)),
      count: random.int(minTasks, maxTasks),
      id: `g-${n}`,
    });
    // An exponential gap: -mean x ln(U), U in (0, 1].
    at += meanGapMs === 0 ? 0 : -meanGapMs * Math.log(1 - random.next());
  }
  return out;
}
