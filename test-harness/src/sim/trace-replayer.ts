import os from 'node:os';
import type { MasterDetector } from '@tessera/leader';
import type { Runtime, Timer } from '@tessera/process';
import type { Resources } from '@tessera/protocol';
import { SchedulerDriver, type Offer, type TaskStatus } from '@tessera/scheduler-driver';
import { TraceFramework } from './trace-framework.js';
import { TraceRecorder, type TaskCounts, type TraceReport } from './trace-report.js';
import type { TraceJob } from './trace.js';

/** How a trace is replayed. */
export interface ReplayOptions {
  jobs: readonly TraceJob[];
  /** The node the frameworks' drivers run on (each a process of its own, `trace-<framework>`). */
  runtime: Runtime;
  /** Every agent's resources together: the denominator of the roles' shares. */
  cluster: Resources;
  /** The master's pid (default `master@master`), when no detector is given. */
  master?: string;
  detector?: MasterDetector;
  /** Per framework: tasks launched and not yet running (default: no limit); see TraceFrameworkOptions. */
  window?: number;
  /** How long an offer that cannot be used yet is held (default 1 s). */
  holdMs?: number;
  /** What an ACCEPT leaves comes back after this long (default 1 s). */
  refuseSeconds?: number;
  /** Offers declined come back after this long (default: refuseSeconds). */
  declineSeconds?: number;
  /** Per framework: offers held at most (default: no limit); see TraceFrameworkOptions. */
  maxHeld?: number;
  /** Report interval (default 1 s). */
  bucketMs?: number;
  /** Launched tasks still not running after this long are reconciled with the master (default 30 s). */
  reconcileAfterMs?: number;
  /** Leave the first this-many ms out of the latencies and throughput (see TraceRecorder). */
  warmupMs?: number;
  /** Stop this long after the start even if tasks remain (default: when every task has ended). */
  timeLimitMs?: number;
  /** Ends the replay as soon as this holds (checked after every task event). */
  until?: (counts: TaskCounts) => boolean;
  /** Ends the replay when aborted (e.g. once the master reports what the caller waits for). */
  signal?: AbortSignal;
  /**
   * At the end, leave the frameworks' tasks running: the drivers go away without tearing their
   * frameworks down, which the master keeps for `failoverTimeoutS` (default: torn down).
   */
  leaveRunning?: boolean;
  /** The frameworks' failover_timeout in seconds (default 0). */
  failoverTimeoutS?: number;
  /** Called at each bucket's end with what has happened so far. */
  onBucket?: (progress: { t_s: number; pending: number } & TaskCounts) => void;
}

/**
 * Replays a trace against a running master, like YARN's scheduler load simulator: a framework
 * per trace framework (a real SchedulerDriver each, on `runtime`), jobs arriving at their time
 * on the runtime's clock, and a TraceRecorder measuring placement latency, throughput and each
 * role's dominant share. Resolves when every task has ended (or at the time limit, or once
 * `until` holds), after tearing the frameworks down (or leaving them, with `leaveRunning`).
 * @throws when a framework cannot subscribe.
 */
export async function replayTrace(options: ReplayOptions): Promise<TraceReport> {
  const clock = options.runtime.clock;
  const refuse = { refuse_seconds: options.refuseSeconds ?? 1 };
  const declined = { refuse_seconds: options.declineSeconds ?? refuse.refuse_seconds };
  const byName = new Map<string, { policy: TraceFramework; driver: SchedulerDriver; suppressed: boolean }>();
  // Set once every framework has subscribed: no job arrives, so nothing launches, before.
  let recorder: TraceRecorder | undefined;
  let startedAt = 0;
  let ended = 0;
  const total = options.jobs.reduce((sum, job) => sum + (job.count ?? 1), 0);
  let finish!: () => void;
  const done = new Promise<void>((resolve) => { finish = resolve; });

  const pump = (name: string): void => {
    const fw = byName.get(name)!;
    // Between a lost master and the next SUBSCRIBED no call can go; the offers held are void.
    if (fw.driver.state !== 'subscribed') return;
    const now = clock.now();
    const decision = fw.policy.decide(now);
    for (const { offer, tasks } of decision.launches) {
      for (let i = 0; i < tasks.length; i += 1) recorder!.taskLaunched(now);
      fw.driver.launch([offer.id.value], tasks, refuse);
    }
    if (decision.declines.length > 0) fw.driver.decline(decision.declines.map((o) => o.id.value), declined);
    // Offers stop while nothing waits; an arrival revives them.
    if (fw.policy.pending === 0 && !fw.suppressed) {
      fw.suppressed = true;
      fw.driver.suppress();
    }
  };
  const onUpdate = (name: string, status: TaskStatus): void => {
    const fw = byName.get(name)!;
    const news = fw.policy.update(status);
    if (news === undefined || recorder === undefined) return;
    const { task } = news;
    const now = clock.now();
    const arrivedAt = startedAt + task.job.at_ms;
    if (news.ended) {
      recorder.taskEnded(fw.policy.role, task.resources, status.state === 'TASK_FINISHED', task.running, now);
      ended += 1;
      if (ended === total) finish();
    } else {
      recorder.taskRunning(fw.policy.role, task.resources, arrivedAt, task.launchedAt, now);
    }
    if (options.until?.(recorder.counts()) === true) finish();
    pump(name);
  };

  for (const job of options.jobs) {
    if (byName.has(job.framework)) continue;
    const name = job.framework;
    const policy = new TraceFramework(name, job.role, {
      ...(options.window === undefined ? {} : { window: options.window }),
      ...(options.holdMs === undefined ? {} : { holdMs: options.holdMs }),
      ...(options.maxHeld === undefined ? {} : { maxHeld: options.maxHeld }),
    });
    const driver = new SchedulerDriver({
      framework: { user: os.userInfo().username, name: `trace ${name}`, roles: [job.role], failover_timeout: options.failoverTimeoutS ?? 0 },
      runtime: options.runtime,
      name: `trace-${name}`,
      ...(options.detector === undefined ? { master: options.master ?? 'master@master' } : { detector: options.detector }),
      reconcileOnSubscribe: false,
      scheduler: {
        offers: (offers: Offer[]) => {
          policy.offered(offers, clock.now());
          pump(name);
        },
        rescind: (offerId) => policy.rescinded(offerId),
        // The driver subscribes again by itself (keeping its suppression); held offers are void.
        disconnected: () => policy.dropOffers(),
        update: (status) => onUpdate(name, status),
      },
    });
    byName.set(name, { policy, driver, suppressed: false });
  }
  await Promise.all([...byName.values()].map((fw) => fw.driver.start()));

  startedAt = clock.now();
  recorder = new TraceRecorder(startedAt, options.cluster, options.bucketMs, options.warmupMs);
  for (const fw of byName.values()) recorder.role(fw.policy.role);
  // Arrivals: one timer at a time, for the next arrival instant.
  let next = 0;
  let arrivals: Timer | undefined;
  const arrive = (): void => {
    const now = clock.now() - startedAt;
    const touched = new Set<string>();
    while (next < options.jobs.length && options.jobs[next]!.at_ms <= now) {
      const job = options.jobs[next++]!;
      byName.get(job.framework)!.policy.arrive(job);
      touched.add(job.framework);
    }
    for (const name of touched) {
      const fw = byName.get(name)!;
      if (fw.suppressed) {
        fw.suppressed = false;
        fw.driver.revive();
      }
      pump(name);
    }
    if (next < options.jobs.length) arrivals = clock.setTimer(options.jobs[next]!.at_ms - now, arrive);
  };
  arrive();
  // Held offers expire even when no event comes.
  const bucketMs = options.bucketMs ?? 1_000;
  let ticker: Timer | undefined;
  let ticks = 0;
  const tick = (): void => {
    ticks += 1;
    for (const [name, fw] of byName) {
      const stale = fw.policy.staleLaunches(clock.now(), options.reconcileAfterMs ?? 30_000);
      if (stale.length > 0 && fw.driver.state === 'subscribed') fw.driver.reconcile(stale.map((t) => ({ task_id: t.taskId, agent_id: t.agentId })));
      pump(name);
    }
    if (options.onBucket !== undefined) {
      let pending = 0;
      for (const fw of byName.values()) pending += fw.policy.pending;
      options.onBucket({ t_s: (ticks * bucketMs) / 1_000, ...recorder!.counts(), pending });
    }
    ticker = clock.setTimer(bucketMs, tick);
  };
  ticker = clock.setTimer(bucketMs, tick);
  const limit = options.timeLimitMs === undefined ? undefined : clock.setTimer(options.timeLimitMs, finish);
  if (options.signal?.aborted === true) finish();
  options.signal?.addEventListener('abort', finish, { once: true });
  await done;
  const report = recorder.report(clock.now());
  arrivals?.cancel();
  ticker?.cancel();
  limit?.cancel();
  await Promise.all([...byName.values()].map((fw) => fw.driver.stop({ failover: options.leaveRunning === true })));
  return report;
}
