import { TERMINAL_TASK_STATES, type TaskStatus } from '@tessera/protocol';

/** Mesos's status update retry bounds: 10 s doubling up to 10 min. */
export const RETRY_MIN_MS = 10_000;
export const RETRY_MAX_MS = 600_000;

interface Stream {
  pending: TaskStatus[];
  /** When the head update is due again; undefined until it is first sent. */
  retryAt: number | undefined;
  backoffMs: number;
  /** A terminal update was acknowledged: the task says nothing more. */
  closed: boolean;
}

/**
 * The agent's status update manager, as Mesos's: per task, updates go out one at a time in the
 * order they were made; the head is resent with doubling back-off until the framework
 * acknowledges its uuid, and only then does the next go. Nothing is dropped while the agent runs.
 * Pure: the caller passes the clock's time and sends what it is told to send.
 */
export class StatusUpdateManager {
  private readonly streams = new Map<string, Stream>();
  /** Tasks whose terminal update was acknowledged, remembered (the latest 10,000) to refuse more. */
  private readonly ended = new Set<string>();

  constructor(private readonly retryMinMs = RETRY_MIN_MS, private readonly retryMaxMs = RETRY_MAX_MS) {}

  /**
   * Queues a task's update (it must carry a uuid). Returns it when it should be sent now (it is
   * the head of its stream), undefined when it waits behind an unacknowledged one.
   * @throws when the task's stream is closed or the update has no uuid.
   */
  update(status: TaskStatus, now: number): TaskStatus | undefined {
    if (status.uuid === undefined) throw new Error(`an update of task ${status.task_id.value} needs a uuid to be acknowledged`);
    if (this.ended.has(status.task_id.value)) throw new Error(`task ${status.task_id.value} already ended: no more updates`);
    const stream = this.stream(status.task_id.value);
    if (stream.closed) throw new Error(`task ${status.task_id.value} already ended: no more updates`);
    stream.pending.push(status);
    return stream.pending.length === 1 ? this.sent(stream, now) : undefined;
  }

  /**
   * The framework acknowledged `uuid` of a task's update. Returns the next update to send, if
   * any. An ack for anything but the head (a duplicate, or a stale retry's) changes nothing.
   */
  acknowledge(taskId: string, uuid: string, now: number): { ok: true; next: TaskStatus | undefined } | { ok: false; error: string } {
    const stream = this.streams.get(taskId);
    const head = stream?.pending[0];
    if (stream === undefined || head === undefined) return { ok: false, error: `no unacknowledged update of task ${taskId}` };
    if (head.uuid !== uuid) return { ok: false, error: `task ${taskId}: the update waiting for an ack is ${head.uuid}, not ${uuid}` };
    stream.pending.shift();
    if (TERMINAL_TASK_STATES.has(head.state)) stream.closed = true;
    stream.retryAt = undefined;
    stream.backoffMs = this.retryMinMs;
    const next = stream.pending[0];
    if (next === undefined) {
      if (stream.closed) this.end(taskId);
      return { ok: true, next: undefined };
    }
    return { ok: true, next: this.sent(stream, now) };
  }

  /** The updates whose retry time has come, each rescheduled with doubled back-off. */
  due(now: number): TaskStatus[] {
    const out: TaskStatus[] = [];
    for (const stream of this.streams.values()) {
      if (stream.retryAt !== undefined && stream.retryAt <= now && stream.pending.length > 0) {
        stream.backoffMs = Math.min(stream.backoffMs * 2, this.retryMaxMs);
        out.push(this.sent(stream, now, false));
      }
    }
    return out;
  }

  /** The earliest time a retry falls due, for the caller's timer. */
  nextRetryAt(): number | undefined {
    let next: number | undefined;
    for (const stream of this.streams.values()) {
      if (stream.retryAt !== undefined && (next === undefined || stream.retryAt < next)) next = stream.retryAt;
    }
    return next;
  }

  /** When the task's head update is due to be resent, if it has been sent. */
  retryAt(taskId: string): number | undefined {
    return this.streams.get(taskId)?.retryAt;
  }

  /** A task's updates not yet acknowledged, the head (the one sent) first. */
  pending(taskId: string): readonly TaskStatus[] {
    return this.streams.get(taskId)?.pending ?? [];
  }

  /** True when some update waits for an ack. */
  hasPending(): boolean {
    for (const stream of this.streams.values()) if (stream.pending.length > 0) return true;
    return false;
  }

  /** Updates not yet acknowledged, by task (for re-registration and reconciliation). */
  unacknowledged(): Map<string, TaskStatus[]> {
    return new Map([...this.streams].filter(([, s]) => s.pending.length > 0).map(([id, s]) => [id, [...s.pending]]));
  }

  private end(taskId: string): void {
    this.streams.delete(taskId);
    this.ended.add(taskId);
    if (this.ended.size > 10_000) this.ended.delete(this.ended.values().next().value!);
  }

  private stream(taskId: string): Stream {
    let stream = this.streams.get(taskId);
    if (stream === undefined) {
      stream = { pending: [], retryAt: undefined, backoffMs: this.retryMinMs, closed: false };
      this.streams.set(taskId, stream);
    }
    return stream;
  }

  private sent(stream: Stream, now: number, first = true): TaskStatus {
    if (first) stream.backoffMs = this.retryMinMs;
    stream.retryAt = now + stream.backoffMs;
    return stream.pending[0]!;
  }
}
