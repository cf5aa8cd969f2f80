import type { Timer } from '@tessera/process';
import type { CheckOutcome, CheckRun } from './check-run.js';
import type { HealthCheckPlan } from './health-plan.js';
import { HealthPolicy, type HealthVerdict } from './health-policy.js';

/**
 * The owner's clock and mailbox: timers fire and check results land there, one at a time with
 * its other work (a Process gives `this.clock.now`, `this.delay` and `this.whenSettled`).
 */
export interface CheckScheduler {
  now(): number;
  delay(ms: number, fn: () => void): Timer;
  whenSettled<T>(promise: Promise<T>, fn: (outcome: { ok: true; value: T } | { ok: false; error: Error }) => void): void;
}

/** A verdict and the outcome of the check that made it. */
export type HealthReport = HealthVerdict & { message: string };

/**
 * Runs one task's checks on the owner's clock, from its construction: the first `delayMs` later,
 * each next one `intervalMs` after the previous result (so checks never overlap), each aborted
 * and counted as failed at `timeoutMs`. Every result goes through the HealthPolicy; what it says
 * to report goes to `onReport`. After a verdict that kills, or after stop(), no check runs again.
 */
export class HealthChecker {
  private readonly policy: HealthPolicy;
  private timer: Timer | undefined;
  private running: { controller: AbortController; timeout: Timer | undefined } | undefined;
  private stopped = false;

  constructor(
    private readonly plan: HealthCheckPlan,
    private readonly run: CheckRun,
    private readonly scheduler: CheckScheduler,
    private readonly onReport: (report: HealthReport) => void,
  ) {
    this.policy = new HealthPolicy(plan, scheduler.now());
    this.timer = scheduler.delay(plan.delayMs, () => this.check());
  }

  /** Failures in a row so far. */
  get consecutiveFailures(): number {
    return this.policy.consecutiveFailures;
  }

  /** Stops checking: cancels the next check and aborts one in flight (its result is ignored). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.abortRunning();
  }

  private check(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const controller = new AbortController();
    const attempt = { controller, timeout: undefined as Timer | undefined };
    this.running = attempt;
    if (this.plan.timeoutMs > 0) {
      attempt.timeout = this.scheduler.delay(this.plan.timeoutMs, () => {
        if (this.running !== attempt) return;
        this.abortRunning();
        this.record({ healthy: false, message: `the health check timed out after ${this.plan.timeoutMs / 1_000} s` });
      });
    }
    let result: Promise<CheckOutcome>;
    try {
      result = this.run(controller.signal);
    } catch (err) {
      result = Promise.reject(err as Error);
    }
    this.scheduler.whenSettled(result, (outcome) => {
      // A check that timed out, or was stopped, has had its say already.
      if (this.running !== attempt) return;
      attempt.timeout?.cancel();
      this.running = undefined;
      this.record(outcome.ok ? outcome.value : { healthy: false, message: `the health check could not run: ${outcome.error.message}` });
    });
  }

  private abortRunning(): void {
    const attempt = this.running;
    if (attempt === undefined) return;
    this.running = undefined;
    attempt.timeout?.cancel();
    attempt.controller.abort();
  }

  private record(outcome: CheckOutcome): void {
    if (this.stopped) return;
    const verdict = outcome.healthy ? this.policy.passed() : this.policy.failed(this.scheduler.now());
    const kills = verdict !== undefined && !verdict.healthy && verdict.kill;
    if (kills) this.stop();
    else this.timer = this.scheduler.delay(this.plan.intervalMs, () => this.check());
    if (verdict !== undefined) this.onReport({ ...verdict, message: outcome.message });
  }
}
