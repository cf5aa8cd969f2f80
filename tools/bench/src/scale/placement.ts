import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TraceReport } from '@tessera/test-harness/sim';
import type { ScaleCluster } from './cluster.js';
import { clusterTotal, endlessJobs, replayOn } from './frameworks.js';
import { CpuMeter } from './proc.js';
import { lineChart } from './svg-chart.js';

/** How the placement run goes. */
export interface PlacementOptions {
  agents: number;
  resources: string;
  frameworks: number;
  /** Length of the measured run. */
  seconds: number;
  /** Run before the measured part: the first offer rounds over every agent are a storm of their own. */
  warmupSeconds: number;
  /** Each task's run time once started. */
  taskMs: number;
  /** Per framework: tasks launched and not yet running before it begins another offer. */
  window: number;
  /** Per framework: offers held at most; the rest are declined for `declineSeconds`. */
  maxHeld: number;
  declineSeconds: number;
  chartsDir: string;
  /** Name of the chart files (`<name>-throughput.svg`, `<name>-latency.svg`). */
  chartName: string;
}

/** What the run measured. */
export interface PlacementResult {
  tasksPerS: number;
  p50Ms: number;
  p99Ms: number;
  report: TraceReport;
  /** CPU ms per task that reached TASK_RUNNING, by process. */
  cpuPerTaskMs: Record<string, number>;
  /** The master's allocation passes so far, and their times over the last 1,000 (its own metrics). */
  passes: { runs: number; p50Ms: number; p99Ms: number; maxMs: number };
}

/**
 * placement-10k and launch-latency-10k: `frameworks` frameworks (in this process), each with an
 * endless job of 1-cpu tasks, launch as fast as their offers and a window of in-flight launches
 * allow, for a warm-up and then `seconds`. Throughput is TASK_RUNNINGs per second (acknowledged
 * by the driver as each arrives) after the warm-up; latency is ACCEPT sent to TASK_RUNNING
 * received, of those tasks. CPU per task of every process is read from /proc over the same part.
 */
export async function runPlacement(cluster: ScaleCluster, options: PlacementOptions, say: (line: string) => void): Promise<PlacementResult> {
  const leader = await cluster.leader();
  const nats = 'servers' in cluster.nats ? cluster.nats.servers[0]!.pid : cluster.nats.pid;
  const pids = { master: leader.pid, sim: cluster.sim.pid, nats, bench: process.pid };
  // CPU is read over the measured part only: from the warm-up's end to the run's.
  let meter: CpuMeter | undefined;
  const warm = setTimeout(() => { meter = new CpuMeter(pids); }, options.warmupSeconds * 1_000);
  const report = await replayOn(cluster, 'bench-placement', {
    jobs: endlessJobs(options.frameworks, 'cpus:1;mem:1024', options.taskMs, 'place'),
    cluster: clusterTotal(options.agents, options.resources),
    window: options.window,
    maxHeld: options.maxHeld,
    declineSeconds: options.declineSeconds,
    timeLimitMs: (options.warmupSeconds + options.seconds) * 1_000,
    warmupMs: options.warmupSeconds * 1_000,
    onBucket: (p) => {
      if (!Number.isInteger(p.t_s / 5)) return;
      void cluster.masterLoopDelay().then((lag) => say(`  t=${p.t_s}s: ${p.running} tasks reached TASK_RUNNING, ${p.finished} finished; master event loop delay p99 ${lag.p99Ms} ms, max ${lag.maxMs} ms`),
        () => say(`  t=${p.t_s}s: ${p.running} tasks reached TASK_RUNNING, ${p.finished} finished`));
    },
  });
  clearTimeout(warm);
  const allocator = await cluster.metrics();
  const cpu = (meter ?? new CpuMeter(pids)).read();
  const measured = Math.max(1, report.launch.count);
  const cpuPerTaskMs = Object.fromEntries(Object.entries(cpu).map(([name, ms]) => [name, Math.round((ms / measured) * 1_000) / 1_000]));
  const tasksPerS = report.runningPerS;
  writeCharts(report, options);
  const passes = {
    runs: allocator['allocator/mesos/allocation_runs']!, p50Ms: allocator['allocator/mesos/allocation_run_ms/p50']!,
    p99Ms: allocator['allocator/mesos/allocation_run_ms/p99']!, maxMs: allocator['allocator/mesos/allocation_run_ms/max']!,
  };
  return { tasksPerS, p50Ms: report.launch.p50, p99Ms: report.launch.p99, report, cpuPerTaskMs, passes };
}

function writeCharts(report: TraceReport, options: PlacementOptions): void {
  const base = path.join(options.chartsDir, options.chartName);
  const title = `${options.agents.toLocaleString('en')} simulated agents, ${options.frameworks} frameworks`;
  writeFileSync(`${base}-throughput.svg`, lineChart({
    title: `Placement throughput: ${title}`, xLabel: 'seconds', yLabel: 'TASK_RUNNING per second',
    series: [{ name: 'tasks/s', points: report.buckets.map((b) => [b.t_s, b.running_per_s]) }],
  }));
  writeFileSync(`${base}-latency.svg`, lineChart({
    title: `Launch latency (ACCEPT to TASK_RUNNING): ${title}`, xLabel: 'seconds', yLabel: 'ms',
    series: [
      { name: 'p50', points: report.buckets.map((b) => [b.t_s, b.launch_p50_ms]) },
      { name: 'p99', points: report.buckets.map((b) => [b.t_s, b.launch_p99_ms]) },
    ],
  }));
}
