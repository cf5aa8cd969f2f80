import { Process, type UPID } from '@tessera/process';
import type { Envelope, Messages } from '@tessera/protocol';
import { reviveCall, subscribeCall, teardownCall } from '@tessera/scheduler-driver';
import type { ScaleCluster } from './cluster.js';
import { benchLogger, frameworkNode } from './frameworks.js';

/** The one role every framework of the run is in, as in the allocator's pure benchmark. */
const ROLE = 'alloc';

/**
 * A bare scheduler: SUBSCRIBE with its role suppressed (so that it gets nothing while the others
 * subscribe), REVIVE when told, and the time its first OFFERS came. No driver: the figure is the
 * master's, and a driver's acknowledgements and reconciliation would only add traffic.
 */
class AllocFramework extends Process {
  frameworkId: string | undefined;
  offersAt: number | undefined;
  offers = 0;
  private subscribed: (() => void) | undefined;

  constructor(name: string, private readonly master: UPID, private readonly onOffers: (count: number) => void) {
    super(name);
  }

  protected initialize(): void {
    this.install('scheduler.Event', this.onEvent);
  }

  subscribe(): Promise<void> {
    return new Promise((resolve) => {
      this.subscribed = resolve;
      this.send(this.master, 'scheduler.Call', subscribeCall({ user: 'bench', name: this.name, roles: [ROLE], capabilities: [{ type: 'MULTI_ROLE' }] }, [ROLE]));
    });
  }

  revive(): void {
    this.send(this.master, 'scheduler.Call', reviveCall(this.frameworkId!, [ROLE]));
  }

  teardown(): void {
    if (this.frameworkId !== undefined) this.send(this.master, 'scheduler.Call', teardownCall(this.frameworkId));
  }

  private onEvent = (event: Messages['scheduler.Event'], _message: Envelope<'scheduler.Event'>): void => {
    if (event.type === 'SUBSCRIBED') {
      this.frameworkId = event.subscribed!.framework_id.value;
      this.subscribed?.();
    } else if (event.type === 'OFFERS') {
      this.offersAt ??= performance.now();
      const count = event.offers!.offers.length;
      this.offers += count;
      this.onOffers(count);
    }
  };
}

/** What the run measured. */
export interface AllocResult {
  /** From the REVIVEs sent to the last offer received. */
  ms: number;
  offers: number;
  frameworksOffered: number;
  passes: number;
  /** The longest allocation pass in the master's allocator during the run (its own metric). */
  passMaxMs: number;
}

/**
 * alloc-in-master-10k-1k: `frameworks` frameworks subscribe to the running master, suppressed,
 * while every agent is free; then all revive at once (one NATS message carries the REVIVEs) and
 * the figure is the time until the last of the offers reaches its framework: the master's
 * handling of the REVIVEs, the allocator's pass over every agent, the allocations as messages to
 * the master, the offers made and sent over NATS. The allocator's own pass time is read from its
 * metrics beside it.
 */
export async function runAllocInMaster(cluster: ScaleCluster, agents: number, frameworks: number, say: (line: string) => void): Promise<AllocResult> {
  const logger = benchLogger();
  const runtime = await frameworkNode(cluster, 'bench-alloc', logger);
  const leader = await cluster.leader();
  let offered = 0;
  let lastAt = 0;
  let allIn: () => void = () => undefined;
  const done = new Promise<void>((resolve) => { allIn = resolve; });
  const onOffers = (count: number): void => {
    offered += count;
    lastAt = performance.now();
    if (offered >= agents) allIn();
  };
  const actors = Array.from({ length: frameworks }, (_, i) => runtime.spawn(new AllocFramework(`alloc-${i + 1}`, leader.record.pid as UPID, onOffers)));
  try {
    for (let i = 0; i < actors.length; i += 100) await Promise.all(actors.slice(i, i + 100).map((a) => a.subscribe()));
    say(`  ${frameworks} frameworks subscribed (suppressed); ${offered} offers so far`);
    const before = await cluster.metrics();
    const began = performance.now();
    // One turn: the runtime sends the lot to the master's node as one NATS message.
    for (const actor of actors) runtime.dispatch(actor.pid, () => actor.revive()).catch(() => undefined);
    const timeout = setTimeout(allIn, 60_000);
    await done;
    clearTimeout(timeout);
    const after = await cluster.metrics();
    return {
      ms: Math.round((lastAt - began) * 10) / 10,
      offers: offered,
      frameworksOffered: actors.filter((a) => a.offers > 0).length,
      passes: after['allocator/mesos/allocation_runs']! - before['allocator/mesos/allocation_runs']!,
      passMaxMs: after['allocator/mesos/allocation_run_ms/max']!,
    };
  } finally {
    for (const actor of actors) await runtime.dispatch(actor.pid, () => actor.teardown()).catch(() => undefined);
    await runtime.flush();
    logger.mute();
    await runtime.stop();
  }
}
