import type { Resources } from '@tessera/protocol';

/** Percentiles of a set of latencies, in ms. */
export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** One interval of a replay. */
export interface TraceBucket {
  /** The interval's end, in seconds after the replay began. */
  t_s: number;
  /** Tasks that reached TASK_RUNNING in the interval, per second. */
  running_per_s: number;
  /** Launch latency (ACCEPT to TASK_RUNNING) of those tasks, ms. */
  launch_p50_ms: number;
  launch_p99_ms: number;
  /** Each role's dominant share at the interval's end: the largest fraction of any cluster resource its running tasks hold. */
  shares: Record<string, number>;
}

/** Tasks so far: launched, reached TASK_RUNNING, ended with TASK_FINISHED, ended otherwise. */
export interface TaskCounts {
  launched: number;
  running: number;
  finished: number;
  failed: number;
}

/** What a replay measured, like YARN SLS's scheduler metrics. */
export interface TraceReport {
  /** From the replay's start to the report, ms. */
  elapsedMs: number;
  tasks: TaskCounts;
  /** A task's arrival (its job's) to its TASK_RUNNING: queueing for offers included. */
  placement: LatencySummary;
  /** ACCEPT sent to TASK_RUNNING received: the cluster's launch path. */
  launch: LatencySummary;
  /** TASK_RUNNINGs per second from the first (or the warm-up's end) to the last. */
  runningPerS: number;
  /** Each role's mean dominant share over the buckets. */
  meanShares: Record<string, number>;
  buckets: TraceBucket[];
}

interface OpenBucket {
  running: number;
  launchMs: number[];
}

/** Percentiles by nearest rank, in ms with 0.01 precision; zeros when there is nothing. */
export function summarize(values: number[]): LatencySummary {
  if (values.length === 0) return { count: 0, p50: 0, p99: 0, max: 0, mean: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  const round = (x: number): number => Math.round(x * 100) / 100;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { count: sorted.length, p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]!), mean: round(sum / sorted.length) };
}

/**
 * Accumulates a replay's task events (pure: times are given) into a TraceReport. Events must come
 * in time order, as a clock gives them; shares are sampled at each bucket's end from the tasks
 * running then, so memory grows with buckets and latencies, not with events.
 */
export class TraceRecorder {
  private readonly totals = new Map<string, number>();
  private readonly usage = new Map<string, Map<string, number>>();
  private readonly placementMs: number[] = [];
  private readonly launchMs: number[] = [];
  private readonly buckets: TraceBucket[] = [];
  private open: OpenBucket = { running: 0, launchMs: [] };
  private launched = 0;
  private running = 0;
  private finished = 0;
  private failed = 0;
  private firstRunning: number | undefined;
  private lastRunning = 0;

  /** Latencies and throughput count tasks that reach TASK_RUNNING from here on (a warm-up excluded). */
  private readonly measuredFrom: number;

  /**
   * `cluster` is every agent's resources together: the denominator of the shares. With
   * `warmupMs`, the latency summaries and the throughput leave out the tasks that reached
   * TASK_RUNNING before it was over (buckets and counts keep everything).
   */
  constructor(private readonly startedAt: number, cluster: Resources, private readonly bucketMs = 1_000, warmupMs = 0) {
    if (!(bucketMs > 0)) throw new Error(`bucketMs must be > 0, got ${bucketMs}`);
    if (!(warmupMs >= 0)) throw new Error(`warmupMs must be >= 0, got ${warmupMs}`);
    this.measuredFrom = startedAt + warmupMs;
    cluster.forEachScalar((name, milli) => { if (milli > 0) this.totals.set(name, milli); });
  }

  /** A framework of `role` takes part (its share is reported from the start, zero or not). */
  role(role: string): void {
    if (!this.usage.has(role)) this.usage.set(role, new Map());
  }

  taskLaunched(at: number): void {
    this.advance(at);
    this.launched += 1;
  }

  taskRunning(role: string, resources: Resources, arrivedAt: number, launchedAt: number, at: number): void {
    this.advance(at);
    this.running += 1;
    this.open.running += 1;
    this.open.launchMs.push(at - launchedAt);
    this.use(role, resources, 1);
    if (at < this.measuredFrom) return;
    this.placementMs.push(at - arrivedAt);
    this.launchMs.push(at - launchedAt);
    this.firstRunning ??= at;
    this.lastRunning = at;
  }

  /** A task ended; `wasRunning` when its resources were counted as in use. */
  taskEnded(role: string, resources: Resources, finished: boolean, wasRunning: boolean, at: number): void {
    this.advance(at);
    if (finished) this.finished += 1;
    else this.failed += 1;
    if (wasRunning) this.use(role, resources, -1);
  }

  counts(): TaskCounts {
    return { launched: this.launched, running: this.running, finished: this.finished, failed: this.failed };
  }

  /** The report so far, with the bucket still open cut at `at`. */
  report(at: number): TraceReport {
    this.advance(at);
    // The bucket still open, cut short at `at` (none when `at` ends a bucket).
    const openMs = at - this.startedAt - this.buckets.length * this.bucketMs;
    const buckets = openMs > 0 || this.buckets.length === 0 ? [...this.buckets, this.summarizeBucket(this.open, at, Math.max(1, openMs))] : [...this.buckets];
    const meanShares: Record<string, number> = {};
    for (const role of this.usage.keys()) meanShares[role] = round4(buckets.reduce((sum, b) => sum + (b.shares[role] ?? 0), 0) / buckets.length);
    // Throughput over the measured time: from the warm-up's end (or the first TASK_RUNNING) to the last.
    const from = this.measuredFrom > this.startedAt ? this.measuredFrom : this.firstRunning;
    const span = from === undefined || this.firstRunning === undefined ? 0 : this.lastRunning - from;
    return {
      elapsedMs: Math.round(at - this.startedAt),
      tasks: this.counts(),
      placement: summarize(this.placementMs),
      launch: summarize(this.launchMs),
      runningPerS: span > 0 ? Math.round(this.launchMs.length / (span / 1_000)) : this.launchMs.length,
      meanShares,
      buckets,
    };
  }

  /** Closes every bucket that ended by `at`. */
  private advance(at: number): void {
    while (this.startedAt + (this.buckets.length + 1) * this.bucketMs <= at) {
      this.buckets.push(this.summarizeBucket(this.open, this.startedAt + (this.buckets.length + 1) * this.bucketMs, this.bucketMs));
      this.open = { running: 0, launchMs: [] };
    }
  }

  private summarizeBucket(open: OpenBucket, end: number, lengthMs: number): TraceBucket {
    const latency = summarize(open.launchMs);
    return {
      t_s: Math.round((end - this.startedAt) / 10) / 100,
      running_per_s: Math.round((open.running / lengthMs) * 1_000 * 10) / 10,
      launch_p50_ms: latency.p50,
      launch_p99_ms: latency.p99,
      shares: this.shares(),
    };
  }

  private use(role: string, resources: Resources, sign: 1 | -1): void {
    this.role(role);
    const used = this.usage.get(role)!;
    resources.forEachScalar((name, milli) => {
      if (this.totals.has(name)) used.set(name, (used.get(name) ?? 0) + sign * milli);
    });
  }

  private shares(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [role, used] of this.usage) {
      let dominant = 0;
      for (const [name, milli] of used) dominant = Math.max(dominant, milli / this.totals.get(name)!);
      out[role] = round4(dominant);
    }
    return out;
  }
}

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;
