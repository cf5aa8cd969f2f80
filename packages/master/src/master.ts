import { IdGenerator, uuid, type Envelope, type MessageType, type Messages } from '@tessera/protocol';
import { Process, type ExitReason, type UPID } from '@tessera/process';
import { AllocatorProcess, type AllocatorProcessOptions } from '@tessera/allocator';
import { Agents } from './agents.js';
import { Frameworks } from './frameworks.js';
import type { AllocatorMessage, MasterContext } from './master-context.js';
import { masterFlags, type MasterFlags } from './master-flags.js';
import { MasterState } from './master-state.js';
import { Offers } from './offers.js';
import { SchedulerCalls } from './scheduler-calls.js';
import { DeferredReconciliation } from './deferred-reconciliation.js';
import { Operator } from './operator/operator.js';
import { OperatorEvents } from './operator/operator-events.js';
import { MasterEvents } from './operator/master-events.js';
import type { OperatorHost } from './operator/operator-host.js';
import { AgentCalls } from './operator/operator-agents.js';
import { OperatorWriteCalls } from './operator/operator-writes.js';
import { MaintenanceCalls } from './operator/maintenance-calls.js';
import { InverseOffers } from './operator/inverse-offers.js';
import { restoreOperatorFacts } from './operator/restore-facts.js';
import type { MasterOperator } from './operator/master-operator.js';
import { MemoryRegistryStore, type RegistryOperation, type RegistryStore, type RegistrySnapshot } from './registry/registry.js';

/** How long the operator's metrics wait for the allocator's. */
const ALLOCATOR_METRICS_TIMEOUT_MS = 5_000;

/** How long a failed registry write waits before it is tried again. */
const STORE_RETRY_MS = 500;

export interface MasterOptions extends Partial<MasterFlags> {
  /** The leadership term this master was elected for; everything it sends carries it. */
  epoch?: number;
  /** Where the registry is kept (default: memory, for a master without HA). */
  registry?: RegistryStore;
  /** The registry as the new leader found it: its agents are waited for. */
  recovered?: RegistrySnapshot;
  /** The allocator's settings other than its master and interval (sorters, minimum allocatable). */
  allocator?: Omit<AllocatorProcessOptions, 'master' | 'allocationIntervalMs'>;
}

/**
 * The master actor, as Mesos's: agents register with it, frameworks subscribe to it, it turns
 * the allocator's decisions into offers and the frameworks' calls into launches and kills, and
 * it relays status updates and their acknowledgements. `initialize()` is the whole protocol;
 * the logic lives in the parts it delegates to (agents, frameworks, offers, calls) over one
 * pure MasterState.
 */
export class Master extends Process {
  readonly flags: MasterFlags;
  readonly counters = new Map<string, number>();
  private context!: MasterContext;
  private allocator!: UPID;
  private agents!: Agents;
  private frameworks!: Frameworks;
  private offers!: Offers;
  private calls!: SchedulerCalls;
  private stateRef!: MasterState;
  private operatorRef!: Operator;
  private agentCalls!: AgentCalls;
  private readonly registry: RegistryStore;

  constructor(private readonly options: MasterOptions = {}, name = 'master') {
    super(name);
    this.flags = masterFlags(options);
    this.registry = options.registry ?? new MemoryRegistryStore();
  }

  /** The master's state, for the operator's views and for tests. */
  get state(): MasterState {
    return this.stateRef;
  }

  /** The operator's interface (views, v1 calls, events, metrics); use it inside the mailbox. */
  get operator(): MasterOperator {
    return this.operatorRef;
  }

  get masterId(): string {
    return this.context.masterId;
  }

  protected initialize(): void {
    if (this.options.epoch !== undefined) this.lead(this.options.epoch);
    this.wire();
    this.install('scheduler.Call', this.onSchedulerCall);
    this.install('agent.Register', (body, m) => this.agents.onRegister(body, m.from));
    this.install('agent.Reregister', (body, m) => this.agents.onReregister(body, m.from));
    this.install('agent.Pong', (_body, m) => this.agents.onPong(m.from));
    this.install('agent.StatusUpdate', (body, m) => {
      this.agents.onStatusUpdate(body, m.from);
      this.agentCalls.checkDrained(this.stateRef.agentAt(m.from));
    });
    this.install('agent.ExecutorExited', (body, m) => this.agents.onExecutorExited(body, m.from));
    this.install('agent.FrameworkMessage', (body, m) => this.agents.onFrameworkMessage(body, m.from));
    this.install('allocator.Offers', (body) => this.offers.onAllocatorOffers(body));
    this.agents.start();
    this.frameworks.start();
    if (this.options.recovered !== undefined) {
      restoreOperatorFacts(this.context, this.options.recovered);
      this.agents.recover(this.options.recovered);
    }
  }

  protected override exited(pid: UPID, reason: ExitReason): void {
    const agent = this.stateRef.agentAt(pid);
    if (agent !== undefined) return this.agents.onAgentExited(agent);
    const framework = this.stateRef.frameworkAt(pid);
    if (framework !== undefined) return this.frameworks.onSchedulerExited(framework);
    if (pid === this.allocator) this.logger.log('error', 'the allocator exited', { reason });
  }

  protected override finalize(): void {
    this.agents.stop();
    this.frameworks.stop();
    // A deposed leader's allocator must not go on offering.
    this.terminateChild(this.allocator);
  }

  private onSchedulerCall = (call: Messages['scheduler.Call'], message: Envelope<'scheduler.Call'>): void => {
    if (call.type === 'SUBSCRIBE') {
      if (call.subscribe === undefined) return this.send(message.from, 'scheduler.Event', { type: 'ERROR', error: { message: 'SUBSCRIBE without its subscribe field' } });
      return this.frameworks.onSubscribe(call.subscribe, call.framework_id?.value, message.from);
    }
    const framework = this.stateRef.frameworkAt(message.from);
    if (framework === undefined || framework.id !== call.framework_id?.value || framework.lifecycle.value !== 'active') {
      this.count('master/invalid_framework_calls');
      return this.send(message.from, 'scheduler.Event', { type: 'ERROR', error: { message: `Framework is not subscribed: ${call.type} from ${message.from} for framework ${call.framework_id?.value ?? '(none)'}` } });
    }
    this.calls.handle(framework, call);
  };

  private wire(): void {
    const masterId = uuid(this.random);
    this.stateRef = new MasterState(this.flags);
    const allocator = new AllocatorProcess({ ...this.options.allocator, master: this.pid, allocationIntervalMs: this.flags.allocationIntervalMs }, `${this.name}-allocator`);
    this.allocator = this.spawn(allocator).pid;
    this.link(this.allocator);
    const host = this.operatorHost(masterId);
    const changes = new MasterEvents(host.events, host);
    this.stateRef.observer = changes;
    const send = <K extends MessageType>(to: string, type: K, body: Messages[K]) => this.send(to as UPID, type, body);
    this.context = {
      state: this.stateRef,
      flags: this.flags,
      ids: new IdGenerator(masterId),
      logger: this.logger,
      masterId,
      now: () => this.clock.now(),
      send,
      toAllocator: <K extends AllocatorMessage>(type: K, body: Messages[K]) => send(this.allocator, type, body),
      link: (pid) => this.link(pid as UPID),
      unlink: (pid) => this.unlink(pid as UPID),
      delay: (ms, fn) => this.delay(ms, fn),
      count: (metric, by = 1) => this.count(metric, by),
      store: (op, then) => this.store(op, then),
      changes,
    };
    this.offers = new Offers(this.context);
    this.frameworks = new Frameworks(this.context, this.offers);
    const reconciliation = new DeferredReconciliation(this.context);
    this.agents = new Agents(this.context, this.offers, this.frameworks, (agentId) => reconciliation.agentSettled(agentId));
    const inverseOffers = new InverseOffers(this.context);
    this.calls = new SchedulerCalls(this.context, this.frameworks, this.offers, reconciliation, inverseOffers);
    this.operatorRef = new Operator(host);
    this.agentCalls = new AgentCalls(this.context, this.offers, { agentRemoved: (id) => changes.agentRemoved(id) });
    this.operatorRef.writes = new OperatorWriteCalls(this.context, this.offers, this.frameworks, this.agentCalls, new MaintenanceCalls(this.context, this.agentCalls, inverseOffers));
  }

  /** What the operator reads and asks of this master. */
  private operatorHost(masterId: string): OperatorHost {
    const startedAt = this.clock.now();
    const master = this;
    return {
      state: this.stateRef,
      flags: this.flags,
      masterId,
      pid: this.pid,
      now: () => this.clock.now(),
      startedAt,
      electedAt: startedAt,
      leaderHostname: this.flags.hostname,
      counters: this.counters,
      events: new OperatorEvents(),
      allocatorMetrics(then) {
        master.whenSettled(master.ask(master.allocator, 'allocator.GetMetrics', {}, { expect: 'allocator.Metrics', timeoutMs: ALLOCATOR_METRICS_TIMEOUT_MS }), (outcome) => {
          then(outcome.ok ? outcome.value.metrics : {});
        });
      },
    };
  }

  /** Stores a registry change, retrying until it is stored, then carries on in the mailbox. */
  private store(op: RegistryOperation, then: () => void): void {
    const began = this.clock.now();
    this.count('registrar/queued_operations');
    this.whenSettled(this.registry.apply(op), (outcome) => {
      this.count('registrar/queued_operations', -1);
      if (outcome.ok) {
        this.counters.set('registrar/state_store_ms', this.clock.now() - began);
        this.count('registrar/registry_writes');
        return then();
      }
      this.count('registrar/store_failures');
      this.logger.log('error', `the registry could not store ${op.kind}: ${outcome.error.message}; retrying`, {});
      this.delay(STORE_RETRY_MS, () => this.store(op, then));
    });
  }

  private count(metric: string, by = 1): void {
    this.counters.set(metric, (this.counters.get(metric) ?? 0) + by);
  }
}
