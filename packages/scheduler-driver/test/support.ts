import { ManualClock, MemoryNetwork, Random, Runtime, memoryLogger } from '@tessera/process';
import { LeaseDetector, MemoryLeaseStore } from '@tessera/leader';
import { Resources, type LeaderRecord, type Offer } from '@tessera/protocol';
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
  // Reconciliation after SUBSCRIBED is off here: tests of other behaviours count the master's calls
  // exactly. The reconciliation tests turn it on (it is on by default).
  const makeDriver = (options: Partial<SchedulerDriverOptions> = {}): SchedulerDriver => new SchedulerDriver({
    framework: { user: 'tester', name: 'test' }, scheduler: recorder.scheduler, runtime: schedRuntime, reconcileOnSubscribe: false, ...options,
  });
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
    /** Another FakeMaster, `master@<node>`, on a node of its own. */
    async extraMaster(node: string): Promise<FakeMaster> {
      const runtime = await Runtime.create({ transport: network.transport(node), clock, logger, random: new Random(runtimes.length + 10) });
      runtimes.push(runtime);
      return runtime.spawn(new FakeMaster());
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

/** A leader record as the election writes it. */
export function leaderRecord(pid: string, epoch: number): LeaderRecord {
  return { pid, epoch, contender: `contender-${pid}-${epoch}`, lease_ms: 10_000 };
}

/**
 * A real LeaseDetector over a MemoryLeaseStore, with a hand that writes the lease as an election
 * would (compare-and-set on the revision it last wrote).
 */
export function leaseDetector(): { detector: LeaseDetector; elect: (pid: string, epoch: number) => Promise<void>; release: () => Promise<void> } {
  const store = new MemoryLeaseStore();
  const detector = new LeaseDetector(store);
  let revision: number | undefined;
  let last: LeaderRecord | undefined;
  return {
    detector,
    async elect(pid, epoch) {
      last = leaderRecord(pid, epoch);
      revision = await store.write(last, revision);
    },
    async release() {
      revision = await store.write({ ...last!, released: true }, revision);
    },
  };
}
