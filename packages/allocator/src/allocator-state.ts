import { Resources, type Resource } from '@tessera/protocol';
import { refuseSeconds } from './filters.js';
import { AgentRecord, DEFAULT_MIN_ALLOCATABLE, FrameworkRecord, RoleRecord, allocationKey, parseAllocationKey, type Quota } from './model.js';
import { Quantities, quantitiesOf } from './quantities.js';
import { DrfSorter } from './sorter/drf-sorter.js';
import { RandomSorter, type UniformSource } from './sorter/random-sorter.js';
import type { Sorter } from './sorter/sorter.js';

/** How the allocator is set up. */
export interface AllocatorConfig {
  /** `drf` (default) or `random`, for roles and for the frameworks of a role, as Mesos's flags. */
  roleSorter?: 'drf' | 'random';
  frameworkSorter?: 'drf' | 'random';
  /** Seeded randomness: agent order in a pass, and the random sorter. */
  random: UniformSource;
  /** Offers must hold at least one of these (default cpus 0.01 or mem 32). */
  minAllocatable?: readonly Quantities[];
}

/** Resources handed to one framework in one role on one agent (no allocation info set). */
export interface Allocation {
  frameworkId: string;
  agentId: string;
  role: string;
  resources: Resources;
}

/**
 * Everything the allocator knows, and the bookkeeping that keeps its sorters right: agents with
 * what is available on each, frameworks with their roles, suppressions and filters, roles with
 * weights, quota and what they consume. Synchronous and free of I/O: the allocator process
 * feeds it messages, the allocation pass reads and updates it.
 */
export class AllocatorState {
  readonly agents = new Map<string, AgentRecord>();
  readonly frameworks = new Map<string, FrameworkRecord>();
  readonly roles = new Map<string, RoleRecord>();
  /** Roles by weighted dominant share of what they consume. */
  readonly roleSorter: Sorter;
  /** Roles with a guarantee not yet met, in share order: stage one of a pass. */
  readonly quotaSorter = new DrfSorter();
  readonly frameworkSorters = new Map<string, Sorter>();
  /** Scalar totals of every agent: the denominator of every share. */
  readonly total = new Quantities();
  readonly minAllocatable: readonly Quantities[];
  private readonly allocatableKnown = new WeakMap<Resources, boolean>();
  /**
   * Changes with anything that may give an agent a taker without its free resources changing:
   * frameworks coming, going, activated, suppressed or revived, roles changed, weights, quota,
   * filters dropped. See knownIdle.
   */
  private eligibility = 0;
  private readonly idle = new WeakMap<AgentRecord, { available: Resources; eligibility: number; until: number }>();
  private totalsStale = true;

  constructor(readonly config: AllocatorConfig) {
    this.roleSorter = this.newSorter(config.roleSorter);
    this.minAllocatable = config.minAllocatable ?? DEFAULT_MIN_ALLOCATABLE;
  }

  // ---- agents ----

  /** Adds an agent; `used` holds resources already allocated on it, by framework (allocation info set). */
  addAgent(id: string, hostname: string, total: Resources, used: ReadonlyMap<string, Resources> = new Map()): AgentRecord {
    if (this.agents.has(id)) throw new Error(`agent ${id} is already known`);
    const agent = new AgentRecord(id, total, hostname);
    this.agents.set(id, agent);
    this.countTotal(total, 1);
    for (const [frameworkId, resources] of used) this.recordUsed(frameworkId, agent, resources);
    return agent;
  }

  removeAgent(id: string): void {
    const agent = this.requireAgent(id);
    for (const [key, resources] of [...agent.allocations]) {
      const { frameworkId, role } = parseAllocationKey(key);
      this.release(this.frameworks.get(frameworkId), role, agent, resources);
    }
    for (const framework of this.frameworks.values()) {
      framework.filters.clearAgent(id);
      framework.agents.delete(id);
    }
    this.countTotal(agent.total, -1);
    this.agents.delete(id);
  }

  /** A new total for an agent (resources added, or a reservation made outside an offer). */
  updateAgentTotal(id: string, total: Resources): void {
    this.eligibility += 1;
    const agent = this.requireAgent(id);
    let allocated = Resources.EMPTY;
    for (const resources of agent.allocations.values()) allocated = allocated.add(resources);
    if (!total.contains(allocated)) throw new Error(`agent ${id}: the new total does not hold what is allocated on it`);
    this.setTotal(agent, total);
    agent.available = total.subtract(allocated);
    for (const framework of this.frameworks.values()) framework.filters.clearAgent(id);
  }

  setAgentActive(id: string, active: boolean): void {
    this.eligibility += 1;
    this.requireAgent(id).active = active;
  }

  // ---- frameworks ----

  /** Adds a framework; `used` holds its resources recovered from agents (allocation info set). */
  addFramework(id: string, roles: Iterable<string>, options: { active?: boolean; suppressedRoles?: Iterable<string>; used?: ReadonlyMap<string, Resources> } = {}): void {
    this.eligibility += 1;
    if (this.frameworks.has(id)) throw new Error(`framework ${id} is already known`);
    for (const agentId of options.used?.keys() ?? []) this.requireAgent(agentId);
    const framework = new FrameworkRecord(id, new Set(roles));
    framework.active = options.active ?? true;
    for (const role of options.suppressedRoles ?? []) framework.suppressed.add(role);
    this.frameworks.set(id, framework);
    for (const role of framework.roles) this.joinRole(framework, role);
    for (const [agentId, resources] of options.used ?? []) this.recordUsed(id, this.requireAgent(agentId), resources);
  }

  removeFramework(id: string): void {
    this.eligibility += 1;
    const framework = this.requireFramework(id);
    for (const agentId of framework.agents) {
      const agent = this.agents.get(agentId);
      if (agent === undefined) continue;
      for (const [key, resources] of [...agent.allocations]) {
        const parsed = parseAllocationKey(key);
        if (parsed.frameworkId === id) this.release(framework, parsed.role, agent, resources);
      }
    }
    for (const role of framework.roles) this.leaveRole(framework, role);
    this.frameworks.delete(id);
  }

  setFrameworkActive(id: string, active: boolean): void {
    this.eligibility += 1;
    const framework = this.requireFramework(id);
    framework.active = active;
    for (const role of framework.roles) this.refreshFrameworkInRole(framework, role);
  }

  /** New roles and suppressed roles (UPDATE_FRAMEWORK); allocations in dropped roles stay until recovered. */
  updateFramework(id: string, roles: Iterable<string>, suppressedRoles: Iterable<string> = []): void {
    this.eligibility += 1;
    const framework = this.requireFramework(id);
    const next = new Set(roles);
    for (const role of framework.roles) if (!next.has(role)) this.leaveRole(framework, role);
    for (const role of next) if (!framework.roles.has(role)) this.joinRole(framework, role);
    framework.roles = next;
    framework.suppressed.clear();
    for (const role of suppressedRoles) framework.suppressed.add(role);
    for (const role of next) this.refreshFrameworkInRole(framework, role);
  }

  /** SUPPRESS: no more offers in these roles (all of the framework's roles when none given). */
  suppress(id: string, roles?: readonly string[]): void {
    this.eligibility += 1;
    const framework = this.requireFramework(id);
    for (const role of roles?.length ? roles : framework.roles) {
      framework.suppressed.add(role);
      this.refreshFrameworkInRole(framework, role);
    }
  }

  /** REVIVE: offers again in these roles (all when none given), and their filters dropped. */
  revive(id: string, roles?: readonly string[]): void {
    this.eligibility += 1;
    const framework = this.requireFramework(id);
    const which = roles?.length ? roles : [...framework.roles];
    framework.filters.clear(which);
    for (const role of which) {
      framework.suppressed.delete(role);
      this.refreshFrameworkInRole(framework, role);
    }
  }

  // ---- resources coming back ----

  /**
   * Resources a framework no longer holds (declined, rescinded, or its tasks ended), with their
   * allocation info; with `refuse` they are filtered from it until `now + refuse_seconds`.
   */
  recover(frameworkId: string, agentId: string, resources: Resources, refuse?: { seconds?: number; now: number }): void {
    const agent = this.agents.get(agentId);
    const framework = this.frameworks.get(frameworkId);
    if (agent === undefined) return; // The agent went away first: nothing is left to give back.
    const returns: { role: string; mine: Resources }[] = [];
    for (const [key, held] of agent.allocations) {
      const parsed = parseAllocationKey(key);
      if (parsed.frameworkId !== frameworkId) continue;
      const mine = resources.allocatedTo(parsed.role).withoutAllocation();
      if (mine.isEmpty()) continue;
      // Checked for every role before anything changes: a bad recover changes nothing.
      if (!held.contains(mine)) throw new Error(`framework ${frameworkId} gives back on ${agentId} more than it holds in ${parsed.role}`);
      returns.push({ role: parsed.role, mine });
    }
    for (const { role, mine } of returns) {
      this.release(framework, role, agent, mine);
      if (refuse !== undefined && framework !== undefined) {
        framework.filters.add(role, agentId, mine, refuse.now + refuseSeconds(refuse.seconds) * 1000);
      }
    }
  }

  /**
   * Replaces `from` with `to` in what a framework holds on an agent, and in the agent's total:
   * a RESERVE or UNRESERVE accepted from an offer (both carry the allocation info).
   */
  transform(frameworkId: string, agentId: string, from: Resources, to: Resources): void {
    this.eligibility += 1;
    const agent = this.requireAgent(agentId);
    const framework = this.requireFramework(frameworkId);
    for (const role of framework.roles) {
      const before = from.allocatedTo(role).withoutAllocation();
      const after = to.allocatedTo(role).withoutAllocation();
      if (before.isEmpty() && after.isEmpty()) continue;
      this.release(framework, role, agent, before);
      this.setTotal(agent, agent.total.subtract(before).add(after));
      agent.available = agent.available.subtract(before).add(after);
      this.allocate(framework, role, agent, after);
    }
  }

  // ---- roles ----

  setWeight(role: string, weight: number): void {
    this.eligibility += 1;
    if (!(weight > 0)) throw new Error(`weight of role '${role}' must be positive, got ${weight}`);
    const record = this.role(role);
    record.weight = weight;
    this.roleSorter.setWeight(role, weight);
    this.quotaSorter.setWeight(role, weight);
    this.dropIfIdle(record);
  }

  /** Sets (or with undefined, removes) a role's quota. */
  setQuota(role: string, quota: Quota | undefined): void {
    this.eligibility += 1;
    for (const [name, milli] of quota?.limit ?? []) {
      if (quota!.guarantee.get(name) > milli) throw new Error(`quota of role '${role}': the ${name} guarantee exceeds its limit`);
    }
    const record = this.role(role);
    record.quota = quota;
    if (quota === undefined || quota.guarantee.isEmpty()) this.quotaSorter.remove(role);
    else if (!this.quotaSorter.has(role)) {
      this.quotaSorter.add(role);
      this.quotaSorter.setWeight(role, record.weight);
      this.quotaSorter.allocated(role, record.consumed());
    }
    this.dropIfIdle(record);
  }

  // ---- what the pass uses ----

  /**
   * True when the last pass over `agent` found no taker, and nothing that could change that has
   * changed since: its free resources are the same value, no framework or role changed
   * (eligibility), and no filter that refused it has expired (`until`, the first expiry). Only
   * valid without quota, whose limits and headroom move with allocations elsewhere.
   */
  knownIdle(agent: AgentRecord, now: number): boolean {
    const memo = this.idle.get(agent);
    return memo !== undefined && memo.available === agent.available && memo.eligibility === this.eligibility && now < memo.until;
  }

  /** A pass found no taker for `agent`; the filters that refused it last until `until`. */
  rememberIdle(agent: AgentRecord, until: number): void {
    this.idle.set(agent, { available: agent.available, eligibility: this.eligibility, until });
  }

  /** True when some role has a quota (a guarantee or a limit). */
  hasQuota(): boolean {
    for (const role of this.roles.values()) if (role.quota !== undefined) return true;
    return false;
  }

  /** Brings every sorter's denominator up to date (once per pass, not per agent added). */
  syncTotals(): void {
    if (!this.totalsStale) return;
    this.roleSorter.setTotal(this.total);
    this.quotaSorter.setTotal(this.total);
    for (const sorter of this.frameworkSorters.values()) sorter.setTotal(this.total);
    this.totalsStale = false;
  }

  /** A role's weighted dominant share of the cluster (0 for an unknown role). */
  roleShare(role: string): number {
    this.syncTotals();
    return this.roleSorter.share(role);
  }

  /** A framework's weighted dominant share within one of its roles. */
  frameworkShare(frameworkId: string, role: string): number {
    this.syncTotals();
    return this.frameworkSorters.get(role)?.share(frameworkId) ?? 0;
  }

  /**
   * True when `resources` hold one of the minimum allocatable sets. Remembered per (immutable)
   * value: a pass asks it of an agent's free resources after every role it visits there.
   */
  allocatable(resources: Resources): boolean {
    let known = this.allocatableKnown.get(resources);
    if (known === undefined) {
      const q = quantitiesOf(resources);
      known = this.minAllocatable.some((min) => q.contains(min));
      this.allocatableKnown.set(resources, known);
    }
    return known;
  }

  /** Records an allocation in every ledger: agent, framework, its role's share, the role's consumption. */
  allocate(framework: FrameworkRecord, role: string, agent: AgentRecord, resources: Resources): void {
    agent.available = agent.available.subtract(resources);
    const key = framework.allocationKey(role);
    const held = agent.allocations.get(key);
    agent.allocations.set(key, held === undefined ? resources : held.add(resources));
    framework.agents.add(agent.id);
    this.account(framework.id, role, resources, 1);
  }

  private release(framework: FrameworkRecord | undefined, role: string, agent: AgentRecord, resources: Resources): void {
    if (resources.isEmpty()) return;
    const frameworkId = framework?.id ?? '';
    const key = allocationKey(frameworkId, role);
    const held = agent.allocations.get(key);
    if (held === undefined) return;
    const left = held.subtract(resources);
    if (left.isEmpty()) agent.allocations.delete(key);
    else agent.allocations.set(key, left);
    agent.available = agent.available.add(resources);
    this.account(frameworkId, role, resources, -1);
  }

  private account(frameworkId: string, role: string, resources: Resources, sign: 1 | -1): void {
    const all = quantitiesOf(resources);
    const unreserved = resources.unreserved() === resources ? all : quantitiesOf(resources.unreserved());
    const record = this.role(role);
    const sorter = this.frameworkSorters.get(role);
    if (sign > 0) {
      if (sorter?.has(frameworkId)) sorter.allocated(frameworkId, all);
      record.allocatedUnreserved.add(unreserved);
      this.roleSorter.allocated(role, unreserved);
      if (this.quotaSorter.has(role)) this.quotaSorter.allocated(role, unreserved);
    } else {
      if (sorter?.has(frameworkId)) sorter.unallocated(frameworkId, all);
      record.allocatedUnreserved.subtract(unreserved);
      this.roleSorter.unallocated(role, unreserved);
      if (this.quotaSorter.has(role)) this.quotaSorter.unallocated(role, unreserved);
      this.dropIfIdle(record);
    }
  }

  private recordUsed(frameworkId: string, agent: AgentRecord, resources: Resources): void {
    const framework = this.frameworks.get(frameworkId);
    const roles = framework?.roles ?? new Set<string>();
    for (const role of roles) {
      const mine = resources.allocatedTo(role).withoutAllocation();
      if (!mine.isEmpty()) this.allocate(framework!, role, agent, mine);
    }
  }

  /** Changes an agent's total, and with it the cluster total and the roles' reservations. */
  private setTotal(agent: AgentRecord, total: Resources): void {
    this.countTotal(agent.total, -1);
    agent.total = total;
    this.countTotal(total, 1);
  }

  /** Adds (or takes away) an agent's total: the cluster total, and the roles' reservations. */
  private countTotal(total: Resources, sign: 1 | -1): void {
    this.countReservations(total, sign);
    if (sign > 0) this.total.add(Quantities.of(total));
    else this.total.subtract(Quantities.of(total));
    this.totalsStale = true;
  }

  /** Reserved resources count for their role's share and quota whether allocated or not. */
  private countReservations(resources: Resources, sign: 1 | -1): void {
    const reserved = resources.reserved();
    if (reserved.isEmpty()) return;
    const byRole = new Map<string, Resource[]>();
    for (const r of reserved.toJSON()) {
      const role = r.reservations![r.reservations!.length - 1]!.role;
      byRole.set(role, [...(byRole.get(role) ?? []), r]);
    }
    for (const [role, list] of byRole) {
      const q = Quantities.of(Resources.of(list));
      const record = this.role(role);
      if (sign > 0) {
        record.reserved.add(q);
        this.roleSorter.allocated(role, q);
        if (this.quotaSorter.has(role)) this.quotaSorter.allocated(role, q);
      } else {
        record.reserved.subtract(q);
        this.roleSorter.unallocated(role, q);
        if (this.quotaSorter.has(role)) this.quotaSorter.unallocated(role, q);
        this.dropIfIdle(record);
      }
    }
  }

  private joinRole(framework: FrameworkRecord, role: string): void {
    this.role(role).frameworks.add(framework.id);
    let sorter = this.frameworkSorters.get(role);
    if (sorter === undefined) {
      sorter = this.newSorter(this.config.frameworkSorter);
      sorter.setTotal(this.total);
      this.frameworkSorters.set(role, sorter);
    }
    sorter.add(framework.id);
    this.refreshFrameworkInRole(framework, role);
  }

  private leaveRole(framework: FrameworkRecord, role: string): void {
    const record = this.roles.get(role);
    record?.frameworks.delete(framework.id);
    const sorter = this.frameworkSorters.get(role);
    sorter?.remove(framework.id);
    if (record !== undefined && record.frameworks.size === 0) this.frameworkSorters.delete(role);
    if (record !== undefined) this.dropIfIdle(record);
  }

  /** A framework takes part in its role's walks only while active and not suppressed there. */
  private refreshFrameworkInRole(framework: FrameworkRecord, role: string): void {
    const sorter = this.frameworkSorters.get(role);
    if (sorter === undefined || !sorter.has(framework.id)) return;
    if (framework.active && !framework.suppressed.has(role)) sorter.activate(framework.id);
    else sorter.deactivate(framework.id);
  }

  private role(name: string): RoleRecord {
    let record = this.roles.get(name);
    if (record === undefined) {
      record = new RoleRecord(name);
      this.roles.set(name, record);
      this.roleSorter.add(name);
    }
    return record;
  }

  private dropIfIdle(record: RoleRecord): void {
    if (!record.isIdle()) return;
    this.roles.delete(record.name);
    this.roleSorter.remove(record.name);
    this.quotaSorter.remove(record.name);
  }

  private newSorter(kind: 'drf' | 'random' | undefined): Sorter {
    return kind === 'random' ? new RandomSorter(this.config.random) : new DrfSorter();
  }

  private requireAgent(id: string): AgentRecord {
    const agent = this.agents.get(id);
    if (agent === undefined) throw new Error(`no agent ${id}`);
    return agent;
  }

  private requireFramework(id: string): FrameworkRecord {
    const framework = this.frameworks.get(id);
    if (framework === undefined) throw new Error(`no framework ${id}`);
    return framework;
  }
}
