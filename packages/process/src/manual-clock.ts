import type { Clock, Settleable, Timer } from './clock.js';

interface PendingTimer {
  due: number;
  order: number;
  fn: () => void;
  cancelled: boolean;
}

/** Yields to the event loop once, after pending I/O callbacks. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A clock that moves only when told, as libprocess's Clock::pause/advance/settle. Runtimes built
 * on it register themselves, so `settle()` knows when every mailbox is empty.
 */
export class ManualClock implements Clock {
  private current: number;
  private timers: PendingTimer[] = [];
  private order = 0;
  private readonly runtimes = new Set<Settleable>();

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const timer: PendingTimer = { due: this.current + Math.max(0, ms), order: this.order++, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }

  /** Timers not yet fired nor cancelled. */
  pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due, in due order, each at its own
   * instant (so a timer set by a firing timer fires too if it falls within the window).
   */
  advance(ms: number): void {
    if (ms < 0) throw new Error(`cannot advance a clock by ${ms} ms`);
    const target = this.current + ms;
    for (;;) {
      const next = this.nextDue(target);
      if (next === undefined) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.current = Math.max(this.current, next.due);
      next.fn();
    }
    this.current = target;
  }

  /** Makes `settle()` wait for this runtime too. */
  attach(runtime: Settleable): void {
    this.runtimes.add(runtime);
  }

  detach(runtime: Settleable): void {
    this.runtimes.delete(runtime);
  }

  /**
   * Resolves once every attached runtime is idle and stays idle over a full turn of the event
   * loop, with no timer due. Handlers blocked on a promise that only time can resolve do not
   * hold it up, as a libprocess process blocked on a future does not.
   */
  async settle(maxTurns = 100_000): Promise<void> {
    let quietTurns = 0;
    let lastProgress = -1;
    for (let turn = 0; turn < maxTurns; turn += 1) {
      // Timers due now (a zero delay) fire without time moving, as libprocess's settle does.
      this.advance(0);
      await nextTurn();
      const progress = this.totalProgress();
      const idle = [...this.runtimes].every((r) => r.isIdle()) && this.nextDue(this.current) === undefined;
      quietTurns = idle && progress === lastProgress ? quietTurns + 1 : 0;
      lastProgress = progress;
      if (quietTurns >= 2) return;
    }
    throw new Error(`clock did not settle within ${maxTurns} turns: something keeps producing work`);
  }

  private totalProgress(): number {
    let sum = 0;
    for (const runtime of this.runtimes) sum += runtime.progress();
    return sum;
  }

  private nextDue(limit: number): PendingTimer | undefined {
    this.timers = this.timers.filter((t) => !t.cancelled);
    let best: PendingTimer | undefined;
    for (const t of this.timers) {
      if (t.due > limit) continue;
      if (best === undefined || t.due < best.due || (t.due === best.due && t.order < best.order)) best = t;
    }
    return best;
  }
}
