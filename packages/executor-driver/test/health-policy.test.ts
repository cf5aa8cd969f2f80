import { expect } from 'chai';
import { ManualClock } from '@tessera/process';
import type { HealthCheck } from '@tessera/protocol';
import type { CheckOutcome, CheckRun } from '../src/health/check-run.js';
import { HealthChecker, type CheckScheduler, type HealthReport } from '../src/health/health-checker.js';
import { planHealthCheck, type HealthCheckPlan } from '../src/health/health-plan.js';
import { HealthPolicy } from '../src/health/health-policy.js';

const tcp = (extra: Partial<HealthCheck> = {}): HealthCheck => ({ type: 'TCP', tcp: { port: 8080 }, ...extra });

function plan(check: HealthCheck): HealthCheckPlan {
  const planned = planHealthCheck(check);
  if ('error' in planned) throw new Error(planned.error);
  return planned;
}

describe('planHealthCheck', () => {
  it("fills in Mesos's defaults: delay 15 s, interval 10 s, timeout 20 s, 3 failures, grace 10 s", () => {
    expect(plan(tcp())).to.deep.equal({
      target: { type: 'TCP', host: '127.0.0.1', port: 8080 },
      delayMs: 15_000, intervalMs: 10_000, timeoutMs: 20_000, consecutiveFailures: 3, gracePeriodMs: 10_000,
    });
  });

  it('keeps what the task gives, fractions of a second and zeros included', () => {
    const p = plan(tcp({ delay_seconds: 0, interval_seconds: 0.25, timeout_seconds: 0, consecutive_failures: 1, grace_period_seconds: 1.5 }));
    expect(p).to.deep.include({ delayMs: 0, intervalMs: 250, timeoutMs: 0, consecutiveFailures: 1, gracePeriodMs: 1_500 });
  });

  it('reads an HTTP check: scheme http and path / by default, loopback of the protocol asked for', () => {
    expect(plan({ type: 'HTTP', http: { port: 80 } }).target).to.deep.equal({ type: 'HTTP', scheme: 'http', host: '127.0.0.1', port: 80, path: '/', statuses: undefined });
    expect(plan({ type: 'HTTP', http: { port: 443, scheme: 'https', path: '/health', protocol: 'IPv6', statuses: [200, 204] } }).target)
      .to.deep.equal({ type: 'HTTP', scheme: 'https', host: '::1', port: 443, path: '/health', statuses: [200, 204] });
  });

  it('names what is wrong with a check that cannot run', () => {
    const errors: [HealthCheck, RegExp][] = [
      [{ tcp: { port: 1 } }, /needs a 'type'/],
      [{ type: 'UNKNOWN' }, /'UNKNOWN' is not a health check type/],
      [{ type: 'COMMAND' }, /needs 'command'/],
      [{ type: 'COMMAND', command: { value: ' ' } }, /needs a shell command in 'command.value'/],
      [{ type: 'COMMAND', command: { shell: false } }, /needs an executable path in 'command.value'/],
      [{ type: 'HTTP' }, /needs 'http'/],
      [{ type: 'HTTP', http: { port: 80, scheme: 'ftp' } }, /unsupported HTTP health check scheme 'ftp'/],
      [{ type: 'HTTP', http: { port: 80, path: 'health' } }, /path 'health' .* must start with '\/'/],
      [{ type: 'TCP' }, /needs 'tcp'/],
      [{ type: 'TCP', tcp: { port: 0 } }, /'tcp.port' must be a port between 1 and 65535, got 0/],
      [tcp({ interval_seconds: -1 }), /'interval_seconds' must be a non-negative number of seconds, got -1/],
      [tcp({ consecutive_failures: 1.5 }), /'consecutive_failures' must be a non-negative integer/],
    ];
    for (const [check, error] of errors) {
      const planned = planHealthCheck(check);
      expect(planned, JSON.stringify(check)).to.have.property('error').that.matches(error);
    }
  });
});

describe('HealthPolicy', () => {
  const policy = (startedAt = 0, consecutiveFailures = 3, gracePeriodMs = 10_000) => new HealthPolicy({ consecutiveFailures, gracePeriodMs }, startedAt);

  it('reports healthy at the first success, then only after failures', () => {
    const p = policy();
    expect(p.passed()).to.deep.equal({ healthy: true });
    expect(p.passed()).to.equal(undefined);
    expect(p.failed(20_000)).to.deep.equal({ healthy: false, consecutiveFailures: 1, kill: false });
    expect(p.passed()).to.deep.equal({ healthy: true });
    expect(p.consecutiveFailures).to.equal(0);
  });

  it('ignores failures within the grace period (inclusive) until the first success', () => {
    const p = policy(1_000);
    expect(p.failed(1_000)).to.equal(undefined);
    expect(p.failed(11_000)).to.equal(undefined);
    expect(p.failed(11_001)).to.deep.equal({ healthy: false, consecutiveFailures: 1, kill: false });
  });

  it('counts every failure once a check has passed, even within the grace period', () => {
    const p = policy();
    p.passed();
    expect(p.failed(1)).to.deep.equal({ healthy: false, consecutiveFailures: 1, kill: false });
  });

  it('reports each counted failure and asks for the kill at consecutive_failures', () => {
    const p = policy(0, 3, 0);
    expect([p.failed(1), p.failed(2), p.failed(3)]).to.deep.equal([
      { healthy: false, consecutiveFailures: 1, kill: false },
      { healthy: false, consecutiveFailures: 2, kill: false },
      { healthy: false, consecutiveFailures: 3, kill: true },
    ]);
  });

  it("kills at the first counted failure when consecutive_failures is 0 (Mesos's >=)", () => {
    expect(policy(0, 0, 0).failed(0)).to.deep.equal({ healthy: false, consecutiveFailures: 1, kill: true });
  });
});

/** A check whose outcomes the test gives, one per run, and the runs it was asked for. */
class ScriptedCheck {
  readonly starts: number[] = [];
  readonly aborted: number[] = [];
  private pending: ((outcome: CheckOutcome) => void)[] = [];

  constructor(private readonly clock: ManualClock) {}

  readonly run = (signal: AbortSignal): Promise<CheckOutcome> => {
    const index = this.starts.length;
    this.starts.push(this.clock.now());
    signal.addEventListener('abort', () => this.aborted.push(index));
    return new Promise((resolve) => this.pending.push(resolve));
  };

  /** Ends the run in flight. */
  answer(healthy: boolean, message = healthy ? 'fine' : 'refused'): void {
    const resolve = this.pending.shift();
    if (resolve === undefined) throw new Error('no check is running');
    resolve({ healthy, message });
  }
}

/** A HealthChecker on a manual clock, with a scripted check (or `run`). */
function checkerOn(check: HealthCheck, run?: CheckRun) {
  const clock = new ManualClock();
  const scheduler: CheckScheduler = {
    now: () => clock.now(),
    delay: (ms, fn) => clock.setTimer(ms, fn),
    whenSettled: (promise, fn) => {
      promise.then((value) => fn({ ok: true, value }), (error: Error) => fn({ ok: false, error }));
    },
  };
  const script = new ScriptedCheck(clock);
  const reports: HealthReport[] = [];
  const checker = new HealthChecker(plan(check), run ?? script.run, scheduler, (r) => reports.push(r));
  const after = async (ms: number): Promise<void> => {
    clock.advance(ms);
    await clock.settle();
  };
  const answer = async (healthy: boolean): Promise<void> => {
    script.answer(healthy);
    await clock.settle();
  };
  return { clock, script, reports, checker, after, answer };
}

describe('HealthChecker (manual clock)', () => {
  it('checks first after delay_seconds, then interval_seconds after each result', async () => {
    const { script, after, answer } = checkerOn(tcp());
    await after(14_999);
    expect(script.starts).to.deep.equal([]);
    await after(1);
    expect(script.starts).to.deep.equal([15_000]);
    await after(3_000);
    await answer(true);
    await after(9_999);
    expect(script.starts).to.have.length(1);
    await after(1);
    expect(script.starts).to.deep.equal([15_000, 28_000]);
  });

  it('aborts a check at timeout_seconds and counts it as a failure naming the timeout', async () => {
    const { script, reports, after } = checkerOn(tcp({ grace_period_seconds: 0 }));
    await after(15_000);
    await after(19_999);
    expect(script.aborted).to.deep.equal([]);
    await after(1);
    expect(script.aborted).to.deep.equal([0]);
    expect(reports).to.deep.equal([{ healthy: false, consecutiveFailures: 1, kill: false, message: 'the health check timed out after 20 s' }]);
    // The late answer of the aborted check changes nothing; the next check comes an interval later.
    script.answer(true);
    await after(10_000);
    expect(reports).to.have.length(1);
    expect(script.starts).to.deep.equal([15_000, 45_000]);
  });

  it('waits as long as a check takes when timeout_seconds is 0', async () => {
    const { script, reports, after, answer } = checkerOn(tcp({ timeout_seconds: 0, delay_seconds: 0 }));
    await after(0);
    await after(3_600_000);
    expect(script.aborted).to.deep.equal([]);
    await answer(true);
    expect(reports).to.deep.equal([{ healthy: true, message: 'fine' }]);
  });

  it('with the defaults, counts the first failure (the 15 s delay outlasts the 10 s grace) and asks for the kill at the third', async () => {
    const { script, reports, after, answer } = checkerOn(tcp());
    for (let i = 0; i < 3; i++) {
      await after(i === 0 ? 15_000 : 10_000);
      await answer(false);
    }
    expect(reports.map((r) => [r.healthy, !r.healthy && r.consecutiveFailures, !r.healthy && r.kill])).to.deep.equal([
      [false, 1, false], [false, 2, false], [false, 3, true],
    ]);
    await after(60_000);
    expect(script.starts).to.have.length(3);
  });

  it('ignores failures in the grace period, then reports the recovery and the relapse', async () => {
    const { reports, after, answer } = checkerOn(tcp({ delay_seconds: 1, interval_seconds: 1, grace_period_seconds: 5 }));
    await after(1_000);
    await answer(false);
    await after(1_000);
    await answer(false);
    expect(reports).to.deep.equal([]);
    await after(1_000);
    await answer(true);
    await after(1_000);
    await answer(false);
    expect(reports.map((r) => r.healthy)).to.deep.equal([true, false]);
  });

  it('counts a check that throws or rejects as failed, with its error', async () => {
    const { reports, after } = checkerOn(tcp({ delay_seconds: 0, grace_period_seconds: 0 }), () => { throw new Error('boom'); });
    await after(0);
    expect(reports).to.deep.equal([{ healthy: false, consecutiveFailures: 1, kill: false, message: 'the health check could not run: boom' }]);
  });

  it('stop() aborts the check in flight and runs no other', async () => {
    const { script, reports, checker, after } = checkerOn(tcp({ delay_seconds: 0 }));
    await after(0);
    checker.stop();
    expect(script.aborted).to.deep.equal([0]);
    script.answer(true);
    await after(120_000);
    expect(reports).to.deep.equal([]);
    expect(script.starts).to.have.length(1);
  });
});
