import type { LeaderRecord } from '@tessera/protocol';
import { parseUpid, type Runtime } from '@tessera/process';
import { LeaderElector, type LeaseStore } from '@tessera/leader';
import { Master, type MasterOptions } from './master.js';
import type { RegistryStore } from './registry/registry.js';
import { RecoveringMaster } from './recovering-master.js';
import { StandbyMaster } from './standby-master.js';

export interface MasterContenderOptions {
  runtime: Runtime;
  lease: LeaseStore;
  registry: RegistryStore;
  /** The master's flags and allocator settings, used whenever this contender leads. */
  master?: Omit<MasterOptions, 'epoch' | 'registry' | 'recovered'>;
  leaseMs?: number;
  hostname?: string;
  /** This master's HTTP address, for redirects. */
  http?: string;
  /** The process name of the master (default `master`). */
  name?: string;
}

/** How long a failed registry read waits before the new leader tries again. */
const LOAD_RETRY_MS = 500;

/**
 * One `tessera master` process: it contends for leadership and, while it leads, runs the Master
 * actor (made afresh for each term, from the registry); while it does not, a StandbyMaster holds
 * the pid and refuses. A deposed leader's Master is terminated at once, before anything else
 * runs in its mailbox, so it never acts on a lease it no longer holds.
 */
export class MasterContender {
  private readonly elector: LeaderElector;
  private readonly name: string;
  private current: Master | StandbyMaster | RecoveringMaster | undefined;
  private term = 0;
  private stopped = false;
  /** Stops the registry copy kept while standing by. */
  private unfollow: (() => void) | undefined;
  private readonly electedListeners = new Set<(master: Master) => void>();

  constructor(private readonly options: MasterContenderOptions) {
    const { runtime } = options;
    this.name = options.name ?? 'master';
    const pid = `${this.name}@${runtime.node}`;
    this.elector = new LeaderElector({
      store: options.lease,
      clock: runtime.clock,
      candidate: { pid, ...(options.hostname === undefined ? {} : { hostname: options.hostname }), ...(options.http === undefined ? {} : { http: options.http }) },
      contender: `${pid}#${runtime.random.token(8)}`,
      ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
      logger: runtime.logger,
      leaderGone: async (leader) => {
        const node = parseUpid(leader.pid)?.node;
        return node !== undefined && (await runtime.probeNode(node)) === 'absent';
      },
      onElected: (record) => void this.lead(record),
      onDeposed: () => void this.standBy(),
    });
  }

  /** The Master actor while this contender leads. */
  get master(): Master | undefined {
    return this.current instanceof Master ? this.current : undefined;
  }

  /** The leader as this contender last saw it. */
  get leader(): LeaderRecord | undefined {
    return this.elector.leader;
  }

  start(): void {
    this.standByProcess();
    this.elector.start();
  }

  /** Calls `fn` each time this contender starts leading (with the new Master). */
  onElected(fn: (master: Master) => void): () => void {
    this.electedListeners.add(fn);
    return () => this.electedListeners.delete(fn);
  }

  /** Stops contending (a leader gives the lease up so that a standby takes over at once). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unfollow?.();
    this.term += 1;
    if (this.current !== undefined) await this.terminate(this.current);
    this.current = undefined;
    await this.elector.stop();
  }

  private async lead(record: LeaderRecord): Promise<void> {
    const term = ++this.term;
    const { runtime, registry } = this.options;
    // Stop refusing at once: the standby goes before the registry is read, and what comes
    // meanwhile is held for the Master.
    if (this.current !== undefined) await this.terminate(this.current);
    if (term !== this.term || this.stopped) return;
    const holder = new RecoveringMaster(this.name);
    this.replace(holder);
    for (;;) {
      try {
        const loadStarted = runtime.clock.now();
        const recovered = await registry.load();
        const loadMs = runtime.clock.now() - loadStarted;
        if (term !== this.term || this.stopped) return;
        await this.terminate(holder);
        const master = new Master({ ...this.options.master, epoch: record.epoch, registry, recovered }, this.name);
        this.current = runtime.spawn(master);
        runtime.logger.log('info', `leading as epoch ${record.epoch}: ${recovered.agents.size} agents to re-register`, { pid: master.pid, held: holder.held.length, registry_ms: loadMs });
        if (holder.dropped > 0) runtime.logger.log('warn', `${holder.dropped} messages came while the registry was read and were dropped (over ${holder.held.length} held)`, {});
        for (const message of holder.held) runtime.inject(message);
        for (const fn of this.electedListeners) fn(master);
        return;
      } catch (err) {
        runtime.logger.log('error', `the new leader cannot read the registry: ${(err as Error).message}`, {});
        await new Promise<void>((resolve) => runtime.clock.setTimer(LOAD_RETRY_MS, resolve));
        if (term !== this.term || this.stopped) return;
      }
    }
  }

  private async standBy(): Promise<void> {
    const term = ++this.term;
    if (this.current !== undefined) await this.terminate(this.current);
    this.current = undefined;
    if (term !== this.term || this.stopped) return;
    this.standByProcess();
  }

  /** A standby refuses leader messages and keeps a copy of the registry for when it leads. */
  private standByProcess(): void {
    this.replace(new StandbyMaster(() => this.elector.leader, this.name));
    this.unfollow = this.options.registry.follow?.();
  }

  private replace(process: Master | StandbyMaster | RecoveringMaster): void {
    this.current = this.options.runtime.spawn(process);
  }

  private async terminate(process: Master | StandbyMaster | RecoveringMaster): Promise<void> {
    this.options.runtime.terminate(process.pid, { immediately: true });
    await this.options.runtime.wait(process.pid);
  }
}
