import type { TaskInfo, TaskStatus } from '@tessera/protocol';

/** How often an update the agent has not acknowledged is sent again (Mesos: 10 s). */
export const RESEND_INTERVAL_MS = 10_000;

interface Pending {
  status: TaskStatus;
  /** When it last went to the agent; undefined while it could not be sent (not subscribed). */
  sentAt: number | undefined;
}

/**
 * What an executor must replay when it (re)subscribes, as Mesos's executor library keeps it: the
 * status updates the agent has not acknowledged, and the tasks it launched that no update has
 * been acknowledged for yet. Pure: the caller passes the clock's time and sends what it is told.
 */
export class UnacknowledgedBook {
  /** By uuid, in the order the updates were made (a Map keeps insertion order). */
  private readonly updates = new Map<string, Pending>();
  private readonly tasks = new Map<string, TaskInfo>();

  constructor(private readonly resendIntervalMs = RESEND_INTERVAL_MS) {}

  /** A task the agent launched: replayed on resubscribe until one of its updates is acknowledged. */
  launched(task: TaskInfo): void {
    this.tasks.set(task.task_id.value, task);
  }

  /** Keeps an update (it must carry a uuid) until acknowledged; `now` when it was sent. */
  add(status: TaskStatus, now: number | undefined): void {
    if (status.uuid === undefined) throw new Error(`an update of task ${status.task_id.value} needs a uuid`);
    this.updates.set(status.uuid, { status, sentAt: now });
  }

  /**
   * The agent acknowledged `uuid` of `taskId`. Returns false (changing nothing) for an unknown
   * uuid, or one that belongs to another task: a duplicate or stray acknowledgement.
   */
  acknowledge(taskId: string, uuid: string): boolean {
    const pending = this.updates.get(uuid);
    if (pending === undefined || pending.status.task_id.value !== taskId) return false;
    this.updates.delete(uuid);
    this.tasks.delete(taskId);
    return true;
  }

  /** Every unacknowledged update, oldest first, each marked sent at `now`. */
  resendAll(now: number): TaskStatus[] {
    for (const pending of this.updates.values()) pending.sentAt = now;
    return this.statuses();
  }

  /** The updates unacknowledged for a whole interval since they were last sent, marked sent now. */
  due(now: number): TaskStatus[] {
    const out: TaskStatus[] = [];
    for (const pending of this.updates.values()) {
      if (pending.sentAt !== undefined && pending.sentAt + this.resendIntervalMs <= now) {
        pending.sentAt = now;
        out.push(pending.status);
      }
    }
    return out;
  }

  /** When the next resend falls due, for the caller's timer; undefined when nothing waits. */
  nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const { sentAt } of this.updates.values()) {
      if (sentAt !== undefined && (next === undefined || sentAt + this.resendIntervalMs < next)) next = sentAt + this.resendIntervalMs;
    }
    return next;
  }

  statuses(): TaskStatus[] {
    return [...this.updates.values()].map((p) => p.status);
  }

  unacknowledgedTasks(): TaskInfo[] {
    return [...this.tasks.values()];
  }

  get size(): number {
    return this.updates.size;
  }
}

/**
 * Subscription back-off, as Mesos's executor library: starts at `minMs`, doubles per attempt up
 * to `maxMs`, and each wait gets up to 50% random jitter so that the executors of a restarted
 * agent do not all come back in the same instant.
 */
export class Backoff {
  private current: number;

  constructor(private readonly minMs = 1_000, private readonly maxMs = 30_000) {
    if (!(minMs > 0 && maxMs >= minMs)) throw new Error(`back-off needs 0 < min <= max, got ${minMs}..${maxMs}`);
    this.current = minMs;
  }

  /** The next wait; `fraction` is a random number in [0, 1). */
  next(fraction: number): number {
    const wait = this.current * (1 + fraction / 2);
    this.current = Math.min(this.current * 2, this.maxMs);
    return Math.round(wait);
  }

  reset(): void {
    this.current = this.minMs;
  }
}
