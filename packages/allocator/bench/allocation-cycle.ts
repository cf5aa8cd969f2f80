/**
 * One allocation cycle at Mesos's benchmark sizes, against Mesos's published figures and against a
 * naive allocator (re-sort everything for every agent) measured in the same run.
 *
 * Run after a build: `node packages/allocator/dist/bench/allocation-cycle.js [--quick]`, or
 * `npm run bench -- --only alloc`. Each case prints readable lines and ends with one JSON line,
 * `{"bench":"alloc-10k-1k","ms":N}`.
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { allocate, type Allocation, type AllocatorState } from '../src/index.js';
import { buildState, naiveCluster, oneRoleCluster, quotaCluster, seeded, type Cluster } from './fixtures.js';
import { naiveAllocate } from './naive-allocator.js';

/** One benchmark case and the figures it is held against. */
interface AllocCase {
  bench: string;
  title: string;
  cluster: (scale: number) => Cluster;
  /** Mesos's figure for the same cycle, and where it comes from. */
  mesosMs: number;
  mesosSource: string;
  targetMs: number;
  /** The naive allocator runs at this fraction of the case's size (1: full size). */
  naiveScale: number;
}

const CASES: readonly AllocCase[] = [
  {
    bench: 'alloc-10k-1k',
    title: '10,000 agents x 1,000 frameworks, all in one role, no quota',
    cluster: (scale) => oneRoleCluster(Math.round(10_000 * scale), Math.round(1_000 * scale)),
    mesosMs: 1_100,
    mesosSource: 'Mesos 1.8.0, 1.7 blog chart',
    targetMs: 100,
    naiveScale: 1,
  },
  {
    bench: 'alloc-20k-2k',
    title: '20,000 agents x 2,000 frameworks, all in one role, no quota',
    cluster: (scale) => oneRoleCluster(Math.round(20_000 * scale), Math.round(2_000 * scale)),
    mesosMs: 3_800,
    mesosSource: 'Mesos 1.8.0, 1.7 blog chart',
    targetMs: 250,
    naiveScale: 1,
  },
  {
    bench: 'alloc-quota-3k',
    title: '3,000 agents, 3,000 roles with quota (2,500 small, 500 large), one framework per role',
    cluster: (scale) => quotaCluster(scale),
    mesosMs: 15_000,
    mesosSource: 'Mesos 2019-09, LargeAndSmallQuota/2 first cycle (15.3-16.9 s)',
    targetMs: 200,
    naiveScale: 1,
  },
];

/** What one case measured, in milliseconds. */
export interface AllocCaseResult {
  bench: string;
  ms: number;
  samples: number[];
  addAgentsMs: number;
  addFrameworksMs: number;
  allocations: number;
  sanity: string;
  sane: boolean;
  naive: { scale: number; ms: number; runs: number; oursMs: number; same: boolean };
  /** Quota case only: the second cycle on the same state, which has nothing left to offer. */
  secondCycle?: { ms: number; allocations: number };
}

export interface AllocBenchOptions {
  /** Timed cycles per case, each on a fresh state (median reported). */
  samples: number;
  /** Multiplies every case's naive scale (a smoke run uses less). */
  naiveScale: number;
  /** Stop repeating the naive run once this much time went into it (at least one run). */
  naiveBudgetMs: number;
}

export const FULL: AllocBenchOptions = { samples: 5, naiveScale: 1, naiveBudgetMs: 20_000 };
export const QUICK: AllocBenchOptions = { samples: 3, naiveScale: 0.25, naiveBudgetMs: 3_000 };

/** Runs every case, printing as it goes; returns the figures. */
export function runAllocationBenches(options: AllocBenchOptions = FULL): AllocCaseResult[] {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`allocator: one allocation cycle, allocate() on a state built beforehand; median of ${options.samples} cycles, each on a fresh state, after a warm-up cycle`);
  console.log(`  one core: the allocator is synchronous single-threaded JavaScript, so a cycle runs on one core of this machine (${cpus().length} x ${cpu}, Node ${process.version}); a full GC runs before each timed cycle, so a cycle pays only for its own garbage`);
  return CASES.map((c) => runCase(c, options));
}

function runCase(c: AllocCase, options: AllocBenchOptions): AllocCaseResult {
  const cluster = c.cluster(1);
  timeCycle(cluster, 0); // warm-up: the JIT sees the whole cycle once
  // Only the first sample's state is kept (for the checks), so later samples do not run on a
  // heap that holds every earlier state.
  const first = timeCycle(cluster, 1);
  const runs: Pick<Timed, 'ms' | 'addAgentsMs' | 'addFrameworksMs'>[] = [first];
  for (let i = 2; i <= options.samples; i += 1) {
    const { ms: cycleMs, addAgentsMs, addFrameworksMs } = timeCycle(cluster, i);
    runs.push({ ms: cycleMs, addAgentsMs, addFrameworksMs });
  }
  const ms = median(runs.map((r) => r.ms));
  const sanity = checkSanity(cluster, first.state, first.allocations);
  let secondCycle: AllocCaseResult['secondCycle'];
  if (cluster.quotas.size > 0) {
    const t0 = performance.now();
    const again = allocate(first.state, { now: 1_000, random: seeded(99) });
    secondCycle = { ms: performance.now() - t0, allocations: again.length };
  }
  const naive = runNaive(c, options, c.naiveScale === 1 && options.naiveScale === 1 ? first.allocations : undefined, ms);
  const result: AllocCaseResult = {
    bench: c.bench,
    ms,
    samples: runs.map((r) => r.ms),
    addAgentsMs: median(runs.map((r) => r.addAgentsMs)),
    addFrameworksMs: median(runs.map((r) => r.addFrameworksMs)),
    allocations: first.allocations.length,
    sanity: sanity.text,
    sane: sanity.ok,
    naive,
    ...(secondCycle === undefined ? {} : { secondCycle }),
  };
  print(c, result);
  return result;
}

interface Timed {
  ms: number;
  addAgentsMs: number;
  addFrameworksMs: number;
  state: AllocatorState;
  allocations: Allocation[];
}

/** Builds a fresh state (timed apart) and times one cycle on it; the seed orders the agents. */
function timeCycle(cluster: Cluster, seed: number): Timed {
  const built = buildState(cluster, seed);
  collectGarbage();
  const t0 = performance.now();
  const allocations = allocate(built.state, { now: 0, random: seeded(seed) });
  const ms = performance.now() - t0;
  return { ms, addAgentsMs: built.addAgentsMs, addFrameworksMs: built.addFrameworksMs, state: built.state, allocations };
}

/**
 * The naive allocator on the same input and seed, repeated while within the time budget. When it
 * runs below full size, ours is timed again at that size, so the ratio compares equal work.
 */
function runNaive(c: AllocCase, options: AllocBenchOptions, oursFull: Allocation[] | undefined, oursFullMs: number): AllocCaseResult['naive'] {
  const scale = c.naiveScale * options.naiveScale;
  const cluster = c.cluster(scale);
  const input = naiveCluster(cluster);
  naiveAllocate(naiveCluster(c.cluster(scale / 10)), seeded(1)); // warm-up, at a tenth of the size
  const { allocations: ours, ms: oursMs } = oursFull === undefined ? timeOurs(cluster, options.samples) : { allocations: oursFull, ms: oursFullMs };
  const times: number[] = [];
  let same = true;
  const started = performance.now();
  do {
    collectGarbage();
    const t0 = performance.now();
    const out = naiveAllocate(input, seeded(1));
    times.push(performance.now() - t0);
    if (times.length === 1) same = sameAllocations(out, ours);
  } while (times.length < options.samples && performance.now() - started + times[times.length - 1]! < options.naiveBudgetMs);
  return { scale, ms: median(times), runs: times.length, oursMs, same };
}

/** Ours again at the naive's size: median over fresh states after a warm-up; seed 1's allocations. */
function timeOurs(cluster: Cluster, samples: number): { allocations: Allocation[]; ms: number } {
  timeCycle(cluster, 0);
  let allocations: Allocation[] = [];
  const times: number[] = [];
  for (let i = 1; i <= samples; i += 1) {
    const timed = timeCycle(cluster, i);
    if (i === 1) allocations = timed.allocations;
    times.push(timed.ms);
  }
  return { allocations, ms: median(times) };
}

/** No-quota cases: every agent allocated exactly once. Quota case: every guarantee met. */
function checkSanity(cluster: Cluster, state: AllocatorState, allocations: readonly Allocation[]): { ok: boolean; text: string } {
  if (cluster.quotas.size > 0) {
    let met = 0;
    for (const [role, quota] of cluster.quotas) if (state.roles.get(role)?.consumed().contains(quota.guarantee) === true) met += 1;
    return { ok: met === cluster.quotas.size, text: `${fmt(met)} of ${fmt(cluster.quotas.size)} roles have consumed >= guarantee` };
  }
  const perAgent = new Map<string, number>();
  const perFramework = new Map<string, number>();
  for (const a of allocations) {
    perAgent.set(a.agentId, (perAgent.get(a.agentId) ?? 0) + 1);
    perFramework.set(a.frameworkId, (perFramework.get(a.frameworkId) ?? 0) + 1);
  }
  const once = perAgent.size === cluster.agents && [...perAgent.values()].every((n) => n === 1);
  const counts = [...perFramework.values()];
  const spread = `each of ${fmt(perFramework.size)} frameworks got ${Math.min(...counts)}-${Math.max(...counts)} agents`;
  return { ok: once, text: `${once ? 'every agent allocated exactly once' : 'NOT every agent allocated exactly once'}, ${spread}` };
}

/** Same frameworks, agents, roles and resources, in the same order. */
function sameAllocations(a: readonly Allocation[], b: readonly Allocation[]): boolean {
  return a.length === b.length && a.every((x, i) => {
    const y = b[i]!;
    return x.frameworkId === y.frameworkId && x.agentId === y.agentId && x.role === y.role && x.resources.equals(y.resources);
  });
}

function print(c: AllocCase, r: AllocCaseResult): void {
  const n = r.naive;
  console.log(`${c.bench}: ${c.title}`);
  console.log(`  ours:   ${ms(r.ms)} (cycles ${r.samples.map((s) => s.toFixed(1)).join(', ')} ms); ${fmt(r.allocations)} allocations; ${r.sanity}`);
  console.log(`  setup:  add agents ${ms(r.addAgentsMs)}, add frameworks ${ms(r.addFrameworksMs)} (medians; not in the cycle)`);
  if (r.secondCycle !== undefined) console.log(`  second cycle on the same state: ${ms(r.secondCycle.ms)}, ${fmt(r.secondCycle.allocations)} allocations (Mesos: 12.9-14.5 s)`);
  console.log(`  mesos:  ${fmt(c.mesosMs)} ms (${c.mesosSource}); Mesos/ours ${(c.mesosMs / r.ms).toFixed(1)}x`);
  const size = n.scale === 1 ? 'full size' : `at ${n.scale} of the size (ours there: ${ms(n.oursMs)})`;
  console.log(`  naive:  re-sort everything for every agent: ${ms(n.ms)} (median of ${n.runs}, ${size}); naive/ours ${(n.ms / n.oursMs).toFixed(1)}x; same allocations as ours: ${n.same ? 'yes' : 'NO'}`);
  console.log(`  target: <= ${c.targetMs} ms: ${r.ms <= c.targetMs ? 'met' : 'NOT met'}${r.sane ? '' : ' (sanity check FAILED)'}`);
  console.log(JSON.stringify({ bench: c.bench, ms: Math.round(r.ms * 10) / 10 }));
}

let gc: (() => void) | undefined;

/** A full collection before a timed cycle, so that setup's garbage is not charged to it. */
function collectGarbage(): void {
  if (gc === undefined) {
    gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    }
  }
  gc();
}

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const fmt = (n: number): string => n.toLocaleString('en-US');
const ms = (value: number): string => `${value.toFixed(1)} ms`;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = runAllocationBenches(process.argv.includes('--quick') ? QUICK : FULL);
  process.exitCode = results.every((r) => r.sane && r.naive.same) ? 0 : 1;
}
