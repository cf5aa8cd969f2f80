import { Resources, TERMINAL_TASK_STATES, type Offer, type TaskInfo, type TaskStatus } from '@tessera/protocol';
import type { TraceJob } from './trace.js';

/** How a replayed framework uses its offers. */
export interface TraceFrameworkOptions {
  /**
   * Tasks it may have launched and not yet seen TASK_RUNNING (or an end) before it begins
   * another offer: a framework that launched everything an offer round allows at once would
   * measure its own backlog, not the cluster's launch path (default: no limit). An offer begun
   * is filled whole, so the window may be passed by one offer's tasks.
   */
  window?: number;
  /** How long an offer it cannot use yet (window full) is held before it is declined (default 1 s). */
  holdMs?: number;
  /**
   * Offers held at most: the rest are declined at once, as a framework that has more than it can
   * use soon hands it back rather than keep it from others (default: no limit).
   */
  maxHeld?: number;
}

/** A job waiting for offers: its tasks not yet launched. */
interface PendingJob {
  job: TraceJob;
  /** One task's resources, parsed once. */
  perTask: Resources;
  next: number;
  count: number;
}

interface HeldOffer {
  offer: Offer;
  left: Resources;
  heldAt: number;
}

/** A task as the framework launched it, until it ends. */
export interface LaunchedTask {
  taskId: string;
  job: TraceJob;
  /** Its resources (the job's per-task ones), for the fairness account. */
  resources: Resources;
  launchedAt: number;
  running: boolean;
  /** The agent it was launched on. */
  agentId: string;
  /** When its state was last asked of the master. */
  reconciledAt?: number;
}

/** What `decide` asks the driver to do now. */
export interface TraceDecision {
  launches: { offer: Offer; tasks: TaskInfo[] }[];
  declines: Offer[];
}

/**
 * One framework of a replayed trace, as pure policy (no I/O; the replayer wires it to a driver):
 * jobs queue on arrival, in arrival order; offers are filled first fit from the head of the
 * queue, each offer at most once (what it leaves goes back to the master with the ACCEPT). An
 * offer that cannot be used is declined at once when nothing waits or more than `maxHeld` are
 * held, or after `holdMs` when the window is what holds launches back. Each task runs `sleep <duration in s>`: the simulator's
 * executors end it after that long, and a real agent would run it.
 */
export class TraceFramework {
  private readonly queue: PendingJob[] = [];
  private readonly held = new Map<string, HeldOffer>();
  private readonly live = new Map<string, LaunchedTask>();
  private readonly window: number;
  private readonly holdMs: number;
  private readonly maxHeld: number;
  private inFlight = 0;
  private waiting = 0;

  constructor(readonly name: string, readonly role: string, options: TraceFrameworkOptions = {}) {
    this.window = options.window ?? Number.POSITIVE_INFINITY;
    this.holdMs = options.holdMs ?? 1_000;
    this.maxHeld = options.maxHeld ?? Number.POSITIVE_INFINITY;
    if (!(this.maxHeld >= 0)) throw new Error(`maxHeld must be >= 0, got ${this.maxHeld}`);
    if (!(this.window >= 1)) throw new Error(`the launch window must be >= 1, got ${this.window}`);
    if (!(this.holdMs >= 0)) throw new Error(`holdMs must be >= 0, got ${this.holdMs}`);
  }

  /** Tasks that have arrived and are not launched yet. */
  get pending(): number {
    return this.waiting;
  }

  /** Tasks launched that have not ended. */
  get launched(): number {
    return this.live.size;
  }

  /** Offers held now. */
  get holding(): number {
    return this.held.size;
  }

  arrive(job: TraceJob): void {
    const count = job.count ?? 1;
    this.queue.push({ job, perTask: Resources.parse(job.resources), next: 0, count });
    this.waiting += count;
  }

  offered(offers: readonly Offer[], now: number): void {
    for (const offer of offers) this.held.set(offer.id.value, { offer, left: Resources.of(offer.resources), heldAt: now });
  }

  rescinded(offerId: string): void {
    this.held.delete(offerId);
  }

  /**
   * Launched tasks still short of TASK_RUNNING `olderThanMs` after their launch (or their last
   * reconciliation), marked as reconciled now: the framework asks the master about them, as
   * Mesos's frameworks must. A launch lost with an agent that went away for a moment would
   * otherwise hold a place in the window for ever.
   */
  staleLaunches(now: number, olderThanMs: number): LaunchedTask[] {
    const stale: LaunchedTask[] = [];
    for (const task of this.live.values()) {
      if (task.running || now - (task.reconciledAt ?? task.launchedAt) < olderThanMs) continue;
      task.reconciledAt = now;
      stale.push(task);
    }
    return stale;
  }

  /** Forgets every held offer: the master that made them is gone. */
  dropOffers(): void {
    this.held.clear();
  }

  /** Launches from the held offers as far as the window allows; declines what cannot wait. */
  decide(now: number): TraceDecision {
    const decision: TraceDecision = { launches: [], declines: [] };
    for (const [id, held] of this.held) {
      if (this.waiting === 0 || this.inFlight >= this.window) break;
      const tasks = this.fill(held, now);
      if (tasks.length === 0) continue;
      this.held.delete(id);
      decision.launches.push({ offer: held.offer, tasks });
    }
    // Held in the order they came, so the first offer young enough ends the scan.
    for (const [id, held] of this.held) {
      if (this.waiting > 0 && now - held.heldAt < this.holdMs) break;
      this.held.delete(id);
      decision.declines.push(held.offer);
    }
    // Past the cap, the newest go back.
    if (this.held.size > this.maxHeld) {
      let kept = 0;
      for (const [id, held] of this.held) {
        if ((kept += 1) <= this.maxHeld) continue;
        this.held.delete(id);
        decision.declines.push(held.offer);
      }
    }
    return decision;
  }

  /**
   * A task's update; returns the task when it is this framework's and the update is news
   * (its first TASK_RUNNING, or its end), with `ended` for the end.
   */
  update(status: TaskStatus): { task: LaunchedTask; ended: boolean } | undefined {
    const task = this.live.get(status.task_id.value);
    if (task === undefined) return undefined;
    if (TERMINAL_TASK_STATES.has(status.state)) {
      this.live.delete(task.taskId);
      if (!task.running) this.inFlight -= 1;
      return { task, ended: true };
    }
    if (status.state !== 'TASK_RUNNING' || task.running) return undefined;
    task.running = true;
    this.inFlight -= 1;
    return { task, ended: false };
  }

  /**
   * Tasks of the head jobs that fit the offer, first fit. An offer begun is filled whole, even
   * past the window: an ACCEPT for a task or two, its leftovers declined and offered again, would
   * make the master work per task for what it can do per offer.
   */
  private fill(held: HeldOffer, now: number): TaskInfo[] {
    const tasks: TaskInfo[] = [];
    const role = held.offer.allocation_info?.role ?? this.role;
    for (let q = 0; q < this.queue.length; ) {
      const pending = this.queue[q]!;
      const need = pending.perTask.withAllocation(role);
      if (!held.left.contains(need)) {
        q += 1;
        continue;
      }
      held.left = held.left.subtract(need);
      const taskId = `${pending.job.id}-${pending.next}`;
      pending.next += 1;
      this.waiting -= 1;
      this.inFlight += 1;
      this.live.set(taskId, { taskId, job: pending.job, resources: pending.perTask, launchedAt: now, running: false, agentId: held.offer.agent_id.value });
      tasks.push({
        name: taskId,
        task_id: { value: taskId },
        agent_id: held.offer.agent_id,
        resources: need.toJSON(),
        command: { value: `sleep ${pending.job.duration_ms / 1_000}` },
      });
      if (pending.next === pending.count) this.queue.splice(q, 1);
    }
    return tasks;
  }
}
