import type { HealthCheckPlan } from './health-plan.js';

// What a check's result means for the task, as Mesos's HealthChecker reads it
// (src/checks/health_checker.cpp): pure, with the time of each result passed in.

/** What the executor must tell the framework after a check, and whether to kill the task. */
export type HealthVerdict =
  | { healthy: true }
  | { healthy: false; consecutiveFailures: number; kill: boolean };

/**
 * The health of one task's checks:
 *
 * ```
 *                 pass (reported)
 *   starting ─────────────────────────► healthy ◄────────── pass (reported) ───┐
 *     │  fail within the grace period:     │ pass: nothing                      │
 *     │  ignored                           │ fail (reported)                    │
 *     │                                    ▼                                    │
 *     └── fail after the grace period ─► failing n=1 ── fail ─► n=2 ... ───────┘
 *                                         (each fail reported; n >= consecutive_failures: kill)
 * ```
 *
 * The grace period runs from the start of checking; once a check has passed, every failure
 * counts. The framework hears `healthy: true` at the first success and at the first success
 * after failures, and `healthy: false` at every counted failure, not only the first (as Mesos's
 * checker: a framework sees a task on its way to being killed).
 */
export class HealthPolicy {
  private consecutive = 0;
  /** No check has passed yet: the grace period still applies. */
  private initializing = true;

  constructor(private readonly plan: Pick<HealthCheckPlan, 'consecutiveFailures' | 'gracePeriodMs'>, private readonly startedAt: number) {}

  /** Failures in a row so far. */
  get consecutiveFailures(): number {
    return this.consecutive;
  }

  /** A check passed. Returns what to report, or undefined when nothing changed. */
  passed(): HealthVerdict | undefined {
    const report = this.initializing || this.consecutive > 0;
    this.initializing = false;
    this.consecutive = 0;
    return report ? { healthy: true } : undefined;
  }

  /** A check failed (or timed out) at `now`. Returns what to report, or undefined when the failure is ignored. */
  failed(now: number): HealthVerdict | undefined {
    if (this.inGracePeriod(now)) return undefined;
    this.consecutive += 1;
    return { healthy: false, consecutiveFailures: this.consecutive, kill: this.consecutive >= this.plan.consecutiveFailures };
  }

  /** Mesos's test: the bound is inclusive, and a zero grace period ignores nothing. */
  private inGracePeriod(now: number): boolean {
    return this.initializing && this.plan.gracePeriodMs > 0 && now - this.startedAt <= this.plan.gracePeriodMs;
  }
}
