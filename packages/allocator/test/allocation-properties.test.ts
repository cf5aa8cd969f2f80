import { expect } from 'chai';
import fc from 'fast-check';
import { Resources } from '@tessera/protocol';
import type { AllocatorState } from '../src/allocator-state.js';
import { parseAllocationKey, quotaLimit } from '../src/model.js';
import { Quantities } from '../src/quantities.js';
import { allocate } from '../src/allocation-pass.js';
import { describe as lines, newState, offered, pass, r, seeded } from './support.js';

/** Agents of random size; some reserve part of themselves for role `a` (or its child `a/x`). */
const agentsArb = fc.array(
  fc.record({
    cpus: fc.integer({ min: 1, max: 8 }),
    mem: fc.integer({ min: 1, max: 16 }).map((m) => m * 256),
    reservedCpus: fc.integer({ min: 0, max: 2 }),
    reservedFor: fc.constantFrom('a', 'a/x'),
  }),
  { minLength: 1, maxLength: 8 },
);

/** Frameworks in one or two of the roles a, a/x, b, c. */
const frameworksArb = fc.array(fc.subarray(['a', 'a/x', 'b', 'c'], { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 5 });

/** Limits only for roles that hold no reservations, so a limit is always reachable. */
const limitsArb = fc.record({ b: fc.option(fc.integer({ min: 0, max: 10 })), c: fc.option(fc.integer({ min: 0, max: 10 })) });

function build(agents: { cpus: number; mem: number; reservedCpus: number; reservedFor: string }[], frameworks: string[][], limits: { b: number | null; c: number | null }, seed: number): AllocatorState {
  const state = newState(seed);
  agents.forEach((a, i) => {
    const reserved = a.reservedCpus > 0 ? `;cpus(${a.reservedFor}):${a.reservedCpus}` : '';
    state.addAgent(`s${i}`, `h${i}`, r(`cpus:${a.cpus};mem:${a.mem}${reserved}`));
  });
  for (const [role, cpus] of Object.entries(limits)) {
    if (cpus !== null) state.setQuota(role, { guarantee: new Quantities(), limit: quotaLimit({ cpus }) });
  }
  frameworks.forEach((roles, i) => state.addFramework(`f${i}`, roles));
  return state;
}

/** Every agent's allocations plus what is available add up to its total. */
function ledgersBalance(state: AllocatorState): boolean {
  for (const agent of state.agents.values()) {
    let held = Resources.EMPTY;
    for (const resources of agent.allocations.values()) held = held.add(resources);
    if (!held.add(agent.available).equals(agent.total)) return false;
  }
  return true;
}

describe('allocation properties', () => {
  it('never allocates more than an agent has free, over passes, declines and expiring filters', () => {
    fc.assert(fc.property(agentsArb, frameworksArb, limitsArb, fc.integer(), fc.array(fc.boolean(), { minLength: 3, maxLength: 6 }), (agents, frameworks, limits, seed, declines) => {
      const state = build(agents, frameworks, limits, seed);
      declines.forEach((decline, round) => {
        const now = round * 1_000;
        const freeBefore = new Map([...state.agents.values()].map((a) => [a.id, a.available]));
        const allocations = pass(state, now);
        const taken = new Map<string, Resources>();
        for (const a of allocations) taken.set(a.agentId, (taken.get(a.agentId) ?? Resources.EMPTY).add(a.resources));
        for (const [agentId, resources] of taken) expect(freeBefore.get(agentId)!.contains(resources), `agent ${agentId} over-allocated`).to.equal(true);
        expect(ledgersBalance(state)).to.equal(true);
        if (decline) for (const a of allocations) state.recover(a.frameworkId, a.agentId, offered(a), { seconds: 1.5, now });
      });
    }), { numRuns: 150 });
  });

  it('offers exactly what it would without skipping agents known idle, over declines, revives, suppressions and frameworks coming and going', () => {
    const opArb = fc.oneof(
      fc.record({ kind: fc.constant('pass' as const), dt: fc.integer({ min: 0, max: 3_000 }) }),
      fc.record({ kind: fc.constant('decline' as const), seconds: fc.constantFrom(0, 1, 2, 100) }),
      fc.record({ kind: fc.constant('return' as const) }),
      fc.record({ kind: fc.constantFrom('revive' as const, 'suppress' as const, 'deactivate' as const, 'activate' as const, 'remove' as const), framework: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ kind: fc.constant('add' as const), roles: fc.subarray(['a', 'b', 'c'], { minLength: 1, maxLength: 2 }) }),
    );
    fc.assert(fc.property(agentsArb, frameworksArb, fc.array(opArb, { maxLength: 30 }), fc.integer(), (agents, frameworks, ops, seed) => {
      const remembering = build(agents, frameworks, { b: null, c: null }, seed);
      const walking = build(agents, frameworks, { b: null, c: null }, seed);
      let now = 0;
      let last: ReturnType<typeof pass> = [];
      let added = 0;
      for (const op of ops) {
        if (op.kind === 'pass') {
          now += op.dt;
          const a = allocate(remembering, { now, random: seeded(now + 1) });
          const b = allocate(walking, { now, random: seeded(now + 1), remember: false });
          expect(lines(a)).to.deep.equal(lines(b));
          last = a;
          continue;
        }
        for (const state of [remembering, walking]) {
          const id = `f${'framework' in op ? op.framework : 0}`;
          const known = state.frameworks.has(id);
          switch (op.kind) {
            case 'decline': for (const x of last) if (state.frameworks.has(x.frameworkId)) state.recover(x.frameworkId, x.agentId, offered(x), { seconds: op.seconds, now }); break;
            case 'return': for (const x of last) if (state.frameworks.has(x.frameworkId)) state.recover(x.frameworkId, x.agentId, offered(x)); break;
            case 'revive': if (known) state.revive(id); break;
            case 'suppress': if (known) state.suppress(id); break;
            case 'deactivate': if (known) state.setFrameworkActive(id, false); break;
            case 'activate': if (known) state.setFrameworkActive(id, true); break;
            case 'remove': if (known) state.removeFramework(id); break;
            case 'add': state.addFramework(`g${added}`, op.roles); break;
          }
        }
        if (op.kind === 'add') added += 1;
        if (op.kind === 'decline' || op.kind === 'return' || op.kind === 'remove') last = [];
      }
    }), { numRuns: 300 });
  });

  it('never offers resources reserved for one role to another', () => {
    fc.assert(fc.property(agentsArb, frameworksArb, limitsArb, fc.integer(), (agents, frameworks, limits, seed) => {
      const state = build(agents, frameworks, limits, seed);
      for (const a of pass(state)) expect(a.resources.allocatableTo(a.role).equals(a.resources), `${a.role} got ${a.resources.toString()}`).to.equal(true);
    }), { numRuns: 150 });
  });

  it('never takes a role beyond its limit', () => {
    fc.assert(fc.property(agentsArb, frameworksArb, limitsArb, fc.integer(), (agents, frameworks, limits, seed) => {
      const state = build(agents, frameworks, limits, seed);
      pass(state);
      pass(state, 1);
      for (const [role, cpus] of Object.entries(limits)) {
        if (cpus === null) continue;
        expect(state.roles.get(role)?.consumed().value('cpus') ?? 0).to.be.at.most(cpus);
      }
    }), { numRuns: 150 });
  });

  it('leaves equal-weight roles, one framework each, within one agent\'s share of each other', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 40 }), fc.integer(), (roles, agents, seed) => {
      const state = newState(seed);
      for (let i = 0; i < agents; i += 1) state.addAgent(`s${i}`, `h${i}`, r('cpus:2;mem:1024'));
      for (let i = 0; i < roles; i += 1) state.addFramework(`f${i}`, [`role${i}`]);
      pass(state);
      const shares = Array.from({ length: roles }, (_, i) => state.roleShare(`role${i}`));
      // A task here is a whole agent, whose dominant share is 1/agents.
      expect(Math.max(...shares) - Math.min(...shares)).to.be.at.most(1 / agents + 1e-9);
    }), { numRuns: 200 });
  });

  it('keeps the ledgers of agents, frameworks and roles consistent when frameworks and agents leave', () => {
    fc.assert(fc.property(agentsArb, frameworksArb, fc.integer(), (agents, frameworks, seed) => {
      const state = build(agents, frameworks, { b: null, c: null }, seed);
      pass(state);
      state.removeFramework('f0');
      for (const agent of state.agents.values()) {
        for (const key of agent.allocations.keys()) expect(parseAllocationKey(key).frameworkId).to.not.equal('f0');
      }
      state.removeAgent('s0');
      expect(ledgersBalance(state)).to.equal(true);
      // What roles consume is exactly what is allocated to them plus what is reserved for them.
      for (const role of state.roles.values()) {
        const allocated = new Quantities();
        for (const agent of state.agents.values()) {
          for (const [key, held] of agent.allocations) if (parseAllocationKey(key).role === role.name) allocated.add(Quantities.of(held.unreserved()));
        }
        expect(role.allocatedUnreserved.toRecord()).to.deep.equal(allocated.toRecord());
      }
    }), { numRuns: 150 });
  });
});
