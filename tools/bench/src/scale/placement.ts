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
}

/**
 * placement-10k and launch-latency-10k: `frameworks` frameworks (in this process), each with an
 * endless job of 1-cpu tasks, launch as fast as their offers and a window of in-flight launches
 * allow, for `seconds`. Throughput is TASK_RUNNINGs per second (acknowledged by the driver as
 * each arrives); latency is ACCEPT sent to TASK_RUNNING received. CPU per task of every process
 * is read from /proc around the run.
 */
export async function runPlacement(cluster: ScaleCluster, options: PlacementOptions, say: (line: string) => void): Promise<PlacementResult> {
  const leader = await cluster.leader();
  const nats = 'servers' in cluster.nats ? cluster.nats.servers[0]!.pid : cluster.nats.pid;
  const meter = new CpuMeter({ master: leader.pid, sim: cluster.sim.pid, nats, bench: process.pid });
  const report = await replayOn(cluster, 'bench-placement', {
    jobs: endlessJobs(options.frameworks, 'cpus:1;mem:1024', options.taskMs, 'place'),
    cluster: clusterTotal(options.agents, options.resources),
    window: options.window,
    maxHeld: options.maxHeld,
    declineSeconds: options.declineSeconds,
    timeLimitMs: options.seconds * 1_000,
    onBucket: (p) => { if (Number.isInteger(p.t_s / 10)) say(`  t=${p.t_s}s: ${p.running} tasks reached TASK_RUNNING, ${p.finished} finished`); },
  });
  const cpu = meter.read();
  const running = Math.max(1, report.tasks.running);
  const cpuPerTaskMs = Object.fromEntries(Object.entries(cpu).map(([name, ms]) => [name, Math.round((ms / running) * 1_000) / 1_000]));
  const tasksPerS = Math.round(report.tasks.running / (report.elapsedMs / 1_000));
  writeCharts(report, options);
  return { tasksPerS, p50Ms: report.launch.p50, p99Ms: report.launch.p99, report, cpuPerTaskMs };
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
