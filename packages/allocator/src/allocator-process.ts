import { Process, type UPID } from '@tessera/process';
import { Resources, type Envelope, type Messages } from '@tessera/protocol';
import { allocate } from './allocation-pass.js';
import { AllocatorState, type Allocation } from './allocator-state.js';
import { allocatorGauges, RunTimes } from './metrics.js';
import { quotaLimit } from './model.js';
import { Quantities } from './quantities.js';

/** How the allocator process runs. */
export interface AllocatorProcessOptions {
  /** Where offers go: the master. */
  master: UPID;
  /** Batch allocation interval (Mesos's `--allocation_interval`, default 1 s). */
  allocationIntervalMs?: number;
  roleSorter?: 'drf' | 'random';
  frameworkSorter?: 'drf' | 'random';
  /** Minimum allocatable quantity sets (default cpus 0.01 or mem 32). */
  minAllocatable?: readonly Record<string, number>[];
  /** Offers per `allocator.Offers` message, so that a pass's messages stay small. */
  offersPerMessage?: number;
}

/**
 * The allocator as an actor: a thin shell that turns the master's messages into calls on the
 * pure AllocatorState, and runs allocation passes: every interval over all agents, and promptly
 * (coalesced into one pass per turn of the mailbox) over the agents whose free resources changed.
 * A message the state refuses (an unknown agent, more recovered than held) changes nothing and
 * is logged and counted.
 */
export class AllocatorProcess extends Process {
  private state!: AllocatorState;
  private readonly runTimes = new RunTimes();
  private pendingAgents = new Set<string>();
  private pendingAll = false;
  private passScheduled = false;
  private refused = 0;

  constructor(private readonly options: AllocatorProcessOptions, name = 'allocator') {
    super(name);
  }

  protected initialize(): void {
    this.state = new AllocatorState({
      random: this.random,
      roleSorter: this.options.roleSorter,
      frameworkSorter: this.options.frameworkSorter,
      minAllocatable: this.options.minAllocatable?.map((r) => Quantities.from(r)),
    });
    this.install('allocator.AddAgent', this.guard(this.onAddAgent));
    this.install('allocator.RemoveAgent', this.guard((m) => this.state.removeAgent(m.agent_id)));
    this.install('allocator.UpdateAgent', this.guard(this.onUpdateAgent));
    this.install('allocator.SetAgentActive', this.guard(this.onSetAgentActive));
    this.install('allocator.AddFramework', this.guard(this.onAddFramework));
    this.install('allocator.RemoveFramework', this.guard((m) => { this.state.removeFramework(m.framework_id); this.requestPass(); }));
    this.install('allocator.SetFrameworkActive', this.guard(this.onSetFrameworkActive));
    this.install('allocator.UpdateFramework', this.guard(this.onUpdateFramework));
    this.install('allocator.Suppress', this.guard((m) => this.state.suppress(m.framework_id, m.roles)));
    this.install('allocator.Revive', this.guard((m) => { this.state.revive(m.framework_id, m.roles); this.requestPass(); }));
    this.install('allocator.Recover', this.guard(this.onRecover));
    this.install('allocator.Transform', this.guard(this.onTransform));
    this.install('allocator.UpdateWeights', this.guard(this.onUpdateWeights));
    this.install('allocator.UpdateQuota', this.guard(this.onUpdateQuota));
    this.install('allocator.Allocate', () => this.requestPass());
    this.install('allocator.GetMetrics', (_m, message) => this.reply(message, 'allocator.Metrics', { metrics: this.metrics() }));
    this.scheduleTick();
  }

  /** The pure state, for tests and for the master's state endpoints. */
  get allocatorState(): AllocatorState {
    return this.state;
  }

  /** Metrics under Mesos's names. */
  metrics(): Record<string, number> {
    return { ...this.runTimes.snapshot(), ...allocatorGauges(this.state), 'allocator/tessera/messages_refused': this.refused };
  }

  private onAddAgent = (m: Messages['allocator.AddAgent']): void => {
    const used = new Map((m.used ?? []).map((u) => [u.framework_id, Resources.of(u.resources)]));
    this.state.addAgent(m.agent_id, m.hostname, Resources.of(m.resources), used);
    this.requestPass([m.agent_id]);
  };

  private onUpdateAgent = (m: Messages['allocator.UpdateAgent']): void => {
    this.state.updateAgentTotal(m.agent_id, Resources.of(m.resources));
    this.requestPass([m.agent_id]);
  };

  private onSetAgentActive = (m: Messages['allocator.SetAgentActive']): void => {
    this.state.setAgentActive(m.agent_id, m.active);
    if (m.active) this.requestPass([m.agent_id]);
  };

  private onAddFramework = (m: Messages['allocator.AddFramework']): void => {
    const used = new Map((m.used ?? []).map((u) => [u.agent_id, Resources.of(u.resources)]));
    this.state.addFramework(m.framework_id, m.roles, { active: m.active, suppressedRoles: m.suppressed_roles, used });
    this.requestPass();
  };

  private onSetFrameworkActive = (m: Messages['allocator.SetFrameworkActive']): void => {
    this.state.setFrameworkActive(m.framework_id, m.active);
    if (m.active) this.requestPass();
  };

  private onUpdateFramework = (m: Messages['allocator.UpdateFramework']): void => {
    this.state.updateFramework(m.framework_id, m.roles, m.suppressed_roles);
    this.requestPass();
  };

  private onRecover = (m: Messages['allocator.Recover']): void => {
    const refuse = m.refuse_seconds === undefined ? undefined : { seconds: m.refuse_seconds, now: this.clock.now() };
    this.state.recover(m.framework_id, m.agent_id, Resources.of(m.resources), refuse);
    this.requestPass([m.agent_id]);
  };

  private onTransform = (m: Messages['allocator.Transform']): void => {
    this.state.transform(m.framework_id, m.agent_id, Resources.of(m.from), Resources.of(m.to));
  };

  private onUpdateWeights = (m: Messages['allocator.UpdateWeights']): void => {
    for (const { role, weight } of m.weights) this.state.setWeight(role, weight);
    this.requestPass();
  };

  private onUpdateQuota = (m: Messages['allocator.UpdateQuota']): void => {
    const guarantee = Quantities.from(Object.fromEntries(Object.entries(m.guarantees ?? {}).map(([k, v]) => [k, v.value])));
    const limits = m.limits === undefined ? undefined : quotaLimit(Object.fromEntries(Object.entries(m.limits).map(([k, v]) => [k, v.value])));
    const none = guarantee.isEmpty() && (limits === undefined || limits.size === 0);
    this.state.setQuota(m.role, none ? undefined : { guarantee, limit: limits });
    this.requestPass();
  };

  /** Wraps a handler so that a refused operation is logged and counted, not a crash. */
  private guard<K extends keyof Messages>(handler: (body: Messages[K], message: Envelope<K>) => void) {
    return (body: Messages[K], message: Envelope<K>): void => {
      try {
        handler(body, message);
      } catch (err) {
        this.refused += 1;
        this.logger.log('warn', `allocator refused ${message.type} from ${message.from}: ${(err as Error).message}`, { type: message.type, from: message.from });
      }
    };
  }

  /**
   * Asks for a pass over some agents (all when none given). Requests made while the mailbox
   * holds other messages are coalesced into one pass, queued behind them, as Mesos batches.
   */
  private requestPass(agentIds?: readonly string[]): void {
    if (agentIds === undefined) this.pendingAll = true;
    else for (const id of agentIds) this.pendingAgents.add(id);
    if (this.passScheduled) return;
    this.passScheduled = true;
    this.delay(0, () => this.runPass());
  }

  private scheduleTick(): void {
    this.delay(this.options.allocationIntervalMs ?? 1_000, () => {
      this.pendingAll = true;
      this.runPass();
      this.scheduleTick();
    });
  }

  private runPass(): void {
    const agentIds = this.pendingAll ? undefined : [...this.pendingAgents];
    this.pendingAll = false;
    this.pendingAgents = new Set();
    this.passScheduled = false;
    const started = this.clock.now();
    const allocations = allocate(this.state, { now: started, random: this.random, agentIds });
    this.runTimes.record(this.clock.now() - started);
    if (allocations.length > 0) this.sendOffers(allocations);
  }

  private sendOffers(allocations: Allocation[]): void {
    const chunk = this.options.offersPerMessage ?? 500;
    for (let i = 0; i < allocations.length; i += chunk) {
      const offers = allocations.slice(i, i + chunk).map((a) => ({
        framework_id: a.frameworkId,
        agent_id: a.agentId,
        hostname: this.state.agents.get(a.agentId)?.hostname ?? '',
        role: a.role,
        resources: a.resources.withAllocation(a.role).toJSON(),
      }));
      this.send(this.options.master, 'allocator.Offers', { offers });
    }
  }
}

