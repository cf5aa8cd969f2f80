import { ManualClock, MemoryNetwork, Random, Runtime, memoryLogger } from '@tessera/process';
import { Resources, type Offer } from '@tessera/protocol';
import { SchedulerDriver } from '../src/scheduler-driver.js';
import type { Scheduler, SchedulerDriverOptions } from '../src/types.js';
import { FakeMaster } from './fake-master.js';

/** One callback invocation: its name and arguments. */
export interface Seen {
  name: keyof Scheduler;
  args: unknown[];
}

/** A Scheduler whose every callback is recorded in `seen`. */
export function recordingScheduler(overrides: Scheduler = {}): { scheduler: Scheduler; seen: Seen[]; named: (name: keyof Scheduler) => unknown[][] } {
  const seen: Seen[] = [];
  const names: (keyof Scheduler)[] = ['subscribed', 'offers', 'rescind', 'update', 'message', 'failure', 'error', 'heartbeat', 'disconnected'];
  const scheduler: Scheduler = {};
  for (const name of names) {
    (scheduler as Record<string, unknown>)[name] = (...args: unknown[]) => {
      seen.push({ name, args });
      return (overrides[name] as ((...a: unknown[]) => unknown) | undefined)?.(...args);
    };
  }
  return { scheduler, seen, named: (name) => seen.filter((s) => s.name === name).map((s) => s.args) };
}

/**
 * A manual clock, a memory network with a `master` node running a FakeMaster and a `sched` node
 * for the driver, and a recording scheduler. `stop()` in an after hook.
 */
export async function fixture() {
  const clock = new ManualClock();
  const network = new MemoryNetwork();
  const logger = memoryLogger();
  const masterRuntime = await Runtime.create({ transport: network.transport('master'), clock, logger, random: new Random(1) });
  const schedRuntime = await Runtime.create({ transport: network.transport('sched'), clock, logger, random: new Random(2) });
  const master = masterRuntime.spawn(new FakeMaster());
  const recorder = recordingScheduler();
  const runtimes = [masterRuntime, schedRuntime];
  const makeDriver = (options: Partial<SchedulerDriverOptions> = {}): SchedulerDriver =>
    new SchedulerDriver({ framework: { user: 'tester', name: 'test' }, scheduler: recorder.scheduler, runtime: schedRuntime, ...options });
  return {
    clock, network, logger, master, masterRuntime, schedRuntime, runtimes, makeDriver, ...recorder,
    /** Starts a driver and lets it subscribe. */
    async subscribed(options: Partial<SchedulerDriverOptions> = {}): Promise<SchedulerDriver> {
      const driver = makeDriver(options);
      const started = driver.start();
      await clock.settle();
      await started;
      return driver;
    },
    /** Advances time in steps of `step` ms, settling after each. */
    async advance(ms: number, step = 100): Promise<void> {
      for (let done = 0; done < ms; done += step) {
        clock.advance(Math.min(step, ms - done));
        await clock.settle();
      }
    },
    async stop(): Promise<void> {
      for (const runtime of runtimes) await runtime.stop();
    },
  };
}

/** An offer of `resources` on agent `agent`, to framework fw-0001. */
export function offer(id: string, agent: string, resources = 'cpus:4;mem:1024'): Offer {
  return { id: { value: id }, framework_id: { value: 'fw-0001' }, agent_id: { value: agent }, hostname: `${agent}.example`, resources: Resources.parse(resources).toJSON() };
}
