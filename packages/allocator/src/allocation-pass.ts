import type { Resources } from '@tessera/protocol';
import type { Allocation, AllocatorState } from './allocator-state.js';
import type { AgentRecord, FrameworkRecord, RoleRecord } from './model.js';
import { Quantities } from './quantities.js';
import type { UniformSource } from './sorter/random-sorter.js';

/** What one pass is given besides the state. */
export interface PassInput {
  /** The allocator's clock, for filters. */
  now: number;
  /** Agent order is shuffled every pass, as in Mesos, so no agent is always first. */
  random: UniformSource;
  /** Only these agents (an event-driven pass); every agent when absent. */
  agentIds?: Iterable<string>;
  /** false: walk every agent, none skipped as known idle (tests compare the two). Default true. */
  remember?: boolean;
}

/**
 * Unreserved headroom the pass must leave unallocated so that every quota guarantee can still be
 * met: what the guarantees lack (`required`) against what is free (`available`). Empty when no
 * role has an unmet guarantee, and then the pass skips all headroom arithmetic.
 */
interface Headroom {
  required: Quantities;
  available: Quantities;
}

/**
 * One allocation pass, as Mesos's `__allocate()`, on the allocator's state:
 *  1. roles with an unmet quota guarantee, in share order, get resources reserved for them and
 *     unreserved resources up to what the guarantee lacks;
 *  2. every role, in share order, gets what is left, minus the headroom the remaining guarantees
 *     need, and never beyond its quota limit.
 * Within a role, frameworks are taken in share order; agents are visited in random order. Each
 * allocation is recorded in the state at once, so later shares see it. Returns the allocations.
 */
export function allocate(state: AllocatorState, input: PassInput): Allocation[] {
  state.syncTotals();
  const agents = candidates(state, input);
  const out: Allocation[] = [];
  if (hasUnmetGuarantee(state)) {
    refreshQuotaSorter(state);
    for (const agent of agents) allocateGuarantees(state, agent, input.now, out);
  }
  const headroom = computeHeadroom(state);
  // An agent no one took at its last pass is skipped until something that could change that
  // changes (see knownIdle): at 10,000 agents that 10 frameworks have declined, the periodic pass
  // walked every framework at every agent, ~100 ms a second, to offer nothing.
  const memo = input.remember !== false && headroom === undefined && !state.hasQuota();
  for (const agent of agents) {
    if (memo && state.knownIdle(agent, input.now)) continue;
    const refused = { until: Number.POSITIVE_INFINITY };
    const before = out.length;
    allocateRest(state, agent, input.now, headroom, out, refused);
    if (memo && out.length === before) state.rememberIdle(agent, refused.until);
  }
  return out;
}

function candidates(state: AllocatorState, input: PassInput): AgentRecord[] {
  const agents: AgentRecord[] = [];
  if (input.agentIds === undefined) {
    for (const agent of state.agents.values()) if (agent.active) agents.push(agent);
  } else {
    for (const id of new Set(input.agentIds)) {
      const agent = state.agents.get(id);
      if (agent?.active === true) agents.push(agent);
    }
  }
  // Fisher-Yates with the seeded source: the same seed visits agents in the same order.
  for (let i = agents.length - 1; i > 0; i -= 1) {
    const j = Math.floor(input.random.next() * (i + 1));
    [agents[i], agents[j]] = [agents[j]!, agents[i]!];
  }
  return agents;
}

function hasUnmetGuarantee(state: AllocatorState): boolean {
  for (const role of state.roles.values()) if (role.quota !== undefined && !role.unsatisfied().isEmpty()) return true;
  return false;
}

/** Only roles whose guarantee is unmet take part in stage one. */
function refreshQuotaSorter(state: AllocatorState): void {
  for (const role of state.roles.values()) {
    if (!state.quotaSorter.has(role.name)) continue;
    if (role.unsatisfied().isEmpty()) state.quotaSorter.deactivate(role.name);
    else state.quotaSorter.activate(role.name);
  }
}

/** Stage one on one agent. */
function allocateGuarantees(state: AllocatorState, agent: AgentRecord, now: number, out: Allocation[]): void {
  if (!state.allocatable(agent.available)) return;
  state.quotaSorter.visitInOrder((roleName) => {
    const role = state.roles.get(roleName)!;
    eachFramework(state, role, agent, now, (framework) => {
      const lacking = role.unsatisfied();
      const allocatable = agent.available.allocatableTo(role.name);
      const reserved = allocatable.reserved();
      // Unreserved: only the kinds the guarantee lacks, up to what it lacks, plus non-scalars
      // (ports) so that the offer is usable.
      let unreserved = allocatable.unreserved().filter((r) => r.type !== 'SCALAR' || lacking.get(r.name) > 0).capScalars(lacking.asMap());
      const room = role.limitRoom();
      if (room !== undefined) unreserved = unreserved.capScalars(room);
      return reserved.isEmpty() ? unreserved : reserved.add(unreserved);
    }, out);
    if (role.unsatisfied().isEmpty()) state.quotaSorter.deactivate(roleName);
    return !state.allocatable(agent.available);
  });
}

/** Stage two on one agent; `refused.until` is lowered to the first expiry of the filters that refused it. */
function allocateRest(state: AllocatorState, agent: AgentRecord, now: number, headroom: Headroom | undefined, out: Allocation[], refused?: { until: number }): void {
  if (!state.allocatable(agent.available)) return;
  state.roleSorter.visitInOrder((roleName) => {
    const role = state.roles.get(roleName);
    if (role === undefined || role.frameworks.size === 0) return false;
    eachFramework(state, role, agent, now, (framework) => {
      const allocatable = agent.available.allocatableTo(role.name);
      const room = role.limitRoom();
      if (room === undefined && headroom === undefined) return allocatable;
      const reserved = allocatable.reserved();
      let unreserved = allocatable.unreserved();
      if (room !== undefined) unreserved = unreserved.capScalars(room);
      if (headroom !== undefined) unreserved = unreserved.capScalars(spareHeadroom(headroom, role));
      return reserved.isEmpty() ? unreserved : reserved.add(unreserved);
    }, out, headroom, refused);
    return !state.allocatable(agent.available);
  });
}

/**
 * Walks a role's frameworks in share order on one agent: each eligible one (active, not
 * suppressed: the sorter skips the others) is offered what `offerFor` computes, unless it is too
 * small or the framework filtered it. Stops when the agent has nothing allocatable left.
 */
function eachFramework(
  state: AllocatorState,
  role: RoleRecord,
  agent: AgentRecord,
  now: number,
  offerFor: (framework: FrameworkRecord) => Resources,
  out: Allocation[],
  headroom?: Headroom,
  refused?: { until: number },
): void {
  const sorter = state.frameworkSorters.get(role.name);
  if (sorter === undefined) return;
  sorter.visitInOrder((frameworkId) => {
    const framework = state.frameworks.get(frameworkId)!;
    // Every offer is a part of what the agent has free for the role: a filter over all of that
    // rules the agent out before the offer is built.
    const coveredUntil = framework.filters.coveredUntil(role.name, agent.id, agent.available, now);
    if (coveredUntil !== undefined) {
      if (refused !== undefined) refused.until = Math.min(refused.until, coveredUntil);
      return false;
    }
    const offer = offerFor(framework);
    if (offer.isEmpty() || !state.allocatable(offer)) return false;
    if (framework.filters.filters(role.name, agent.id, offer, now)) {
      if (refused !== undefined) refused.until = Math.min(refused.until, framework.filters.expiryOf(role.name, agent.id) ?? now);
      return false;
    }
    if (headroom !== undefined) spend(headroom, role, offer);
    state.allocate(framework, role.name, agent, offer);
    out.push({ frameworkId, agentId: agent.id, role: role.name, resources: offer });
    return !state.allocatable(agent.available);
  });
}

/** Free unreserved resources against what unmet guarantees need; undefined when none are unmet. */
function computeHeadroom(state: AllocatorState): Headroom | undefined {
  const required = new Quantities();
  for (const role of state.roles.values()) if (role.quota !== undefined) required.add(role.unsatisfied());
  if (required.isEmpty()) return undefined;
  const available = new Quantities();
  for (const agent of state.agents.values()) available.add(Quantities.of(agent.available.unreserved()));
  return { required, available };
}

/**
 * What a role may take from the free pool without eating the headroom others' guarantees need,
 * in thousandths per resource that headroom is held for (zero included: a cap of nothing).
 */
function spareHeadroom(headroom: Headroom, role: RoleRecord): Map<string, number> {
  const spare = new Map<string, number>();
  const own = role.unsatisfied();
  for (const [name, required] of headroom.required.entries()) {
    // A role's own unmet guarantee is part of the headroom it may use.
    spare.set(name, Math.max(0, headroom.available.get(name) - required + own.get(name)));
  }
  return spare;
}

/** Books an allocation against the headroom. */
function spend(headroom: Headroom, role: RoleRecord, offer: Resources): void {
  const unreserved = Quantities.of(offer.unreserved());
  const own = role.unsatisfied();
  headroom.available.subtract(unreserved);
  for (const [name, milli] of unreserved.entries()) {
    const covered = Math.min(milli, own.get(name));
    if (covered > 0) headroom.required.addMilli(name, -covered);
  }
}
