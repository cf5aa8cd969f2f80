import { ManualClock, MemoryNetwork, Random, Runtime, memoryLogger } from '@tessera/process';
import { SchedulerDriver } from '../src/scheduler-driver.js';
import type { SchedulerDriverOptions } from '../src/types.js';
import { FakeHttpMaster } from './http-fake-master.js';
import { recordingScheduler } from './support.js';

export { eventually } from '@tessera/test-harness';

/**
 * A fake HTTP master on a loopback port, and drivers pointed at it whose process runs on a
 * runtime with a ManualClock (back-off and heartbeat watching move only when a test advances
 * time; HTTP itself is real). `stop()` in an after hook.
 */
export async function httpFixture() {
  const clock = new ManualClock();
  const logger = memoryLogger();
  const runtime = await Runtime.create({ transport: new MemoryNetwork().transport('sched'), clock, logger, random: new Random(2) });
  const master = await FakeHttpMaster.start('m1');
  const masters = [master];
  const drivers: SchedulerDriver[] = [];
  const recorder = recordingScheduler();
  // Reconciliation after SUBSCRIBED is off: tests count the master's calls exactly.
  const makeDriver = (options: Partial<SchedulerDriverOptions> = {}): SchedulerDriver => {
    const driver = new SchedulerDriver({
      framework: { user: 'tester', name: 'test' }, scheduler: recorder.scheduler, master: master.url, runtime, reconcileOnSubscribe: false, ...options,
    });
    drivers.push(driver);
    return driver;
  };
  return {
    clock, logger, runtime, master, makeDriver, ...recorder,
    /** Starts a driver and waits for SUBSCRIBED. */
    async subscribed(options: Partial<SchedulerDriverOptions> = {}): Promise<SchedulerDriver> {
      const driver = makeDriver(options);
      await driver.start();
      return driver;
    },
    /** Advances time in steps of `step` ms, settling the runtime after each. */
    async advance(ms: number, step = 100): Promise<void> {
      for (let done = 0; done < ms; done += step) {
        clock.advance(Math.min(step, ms - done));
        await clock.settle();
      }
    },
    /** Another fake master on a port of its own. */
    async extraMaster(name: string): Promise<FakeHttpMaster> {
      const extra = await FakeHttpMaster.start(name);
      masters.push(extra);
      return extra;
    },
    /** The log lines at `level` whose message matches. */
    logged(level: string, pattern: RegExp): string[] {
      return logger.lines.filter((l) => l.level === level && pattern.test(l.message)).map((l) => l.message);
    },
    async stop(): Promise<void> {
      for (const driver of drivers) await driver.stop({ failover: true });
      for (const m of masters) await m.stop();
      await runtime.stop();
    },
  };
}
