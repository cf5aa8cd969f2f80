import { expect } from 'chai';
import { quotaLimit } from '../src/model.js';
import { Quantities } from '../src/quantities.js';
import { describe as lines, newState, offered, pass, r } from './support.js';

describe('allocation pass', () => {
  it('offers each agent whole to the framework of lowest share', () => {
    const state = newState();
    state.addAgent('a1', 'h1', r('cpus:4;mem:1024'));
    state.addAgent('a2', 'h2', r('cpus:4;mem:1024'));
    state.addFramework('f1', ['web']);
    state.addFramework('f2', ['web']);
    // Agent order is random, but each framework gets one agent: after the first allocation the
    // other framework's share (0) is the lower.
    const allocations = pass(state);
    expect(allocations.map((a) => a.frameworkId).sort()).to.deep.equal(['f1', 'f2']);
    expect(allocations.every((a) => a.resources.toString() === 'cpus:4;mem:1024' && a.role === 'web')).to.equal(true);
    expect(pass(state)).to.deep.equal([]);
  });

  it('reproduces the DRF paper through offers: A ends with 3 tasks and B with 2', () => {
    const state = newState();
    state.addAgent('a', 'h', r('cpus:9;mem:18432'));
    state.addFramework('A', ['a']);
    state.addFramework('B', ['b']);
    const task = { A: r('cpus:1;mem:4096'), B: r('cpus:3;mem:1024') };
    const launched = { A: 0, B: 0 };
    for (let round = 0; round < 20; round += 1) {
      const allocations = pass(state, round * 10);
      if (allocations.length === 0) break;
      for (const a of allocations) {
        const id = a.frameworkId as 'A' | 'B';
        // Each framework launches one task from an offer and declines the rest; one whose
        // task no longer fits declines everything for good.
        if (a.resources.contains(task[id])) {
          launched[id] += 1;
          state.recover(id, 'a', offered(a).subtract(task[id].withAllocation(a.role)));
        } else state.recover(id, 'a', offered(a), { seconds: 1e9, now: round * 10 });
      }
    }
    expect(launched).to.deep.equal({ A: 3, B: 2 });
  });

  it('gives a role of weight 2 twice the share of a role of weight 1', () => {
    const state = newState();
    for (let i = 0; i < 30; i += 1) state.addAgent(`a${i}`, `h${i}`, r('cpus:1;mem:100'));
    state.setWeight('heavy', 2);
    state.addFramework('h', ['heavy']);
    state.addFramework('l', ['light']);
    const byRole = { heavy: 0, light: 0 };
    for (const a of pass(state)) byRole[a.role as 'heavy' | 'light'] += 1;
    expect(byRole).to.deep.equal({ heavy: 20, light: 10 });
  });

  it('meets a quota guarantee first, even for a role that subscribed last', () => {
    const state = newState();
    for (let i = 0; i < 10; i += 1) state.addAgent(`a${i}`, `h${i}`, r('cpus:1;mem:100'));
    state.setWeight('greedy', 100);
    state.addFramework('g', ['greedy']);
    state.addFramework('q', ['guaranteed']);
    state.setQuota('guaranteed', { guarantee: Quantities.from({ cpus: 4 }), limit: undefined });
    const cpus = { greedy: 0, guaranteed: 0 };
    for (const a of pass(state)) cpus[a.role as 'greedy' | 'guaranteed'] += a.resources.scalar('cpus');
    expect(cpus.guaranteed).to.equal(4);
    expect(cpus.greedy).to.equal(6);
  });

  it('holds back headroom for a guarantee whose role is not asking now', () => {
    const state = newState();
    for (let i = 0; i < 10; i += 1) state.addAgent(`a${i}`, `h${i}`, r('cpus:1;mem:100'));
    state.setQuota('guaranteed', { guarantee: Quantities.from({ cpus: 4 }), limit: undefined });
    state.addFramework('g', ['greedy']);
    const cpus = pass(state).reduce((sum, a) => sum + a.resources.scalar('cpus'), 0);
    expect(cpus).to.equal(6);
  });

  it('never allocates a role beyond its quota limit', () => {
    const state = newState();
    for (let i = 0; i < 10; i += 1) state.addAgent(`a${i}`, `h${i}`, r('cpus:2;mem:100'));
    state.setQuota('capped', { guarantee: new Quantities(), limit: quotaLimit({ cpus: 3 }) });
    state.addFramework('c', ['capped']);
    const allocations = pass(state);
    expect(allocations.reduce((sum, a) => sum + a.resources.scalar('cpus'), 0)).to.equal(3);
    expect(state.roles.get('capped')!.consumed().value('cpus')).to.equal(3);
  });

  it('offers reserved resources only to their role', () => {
    const state = newState();
    state.addAgent('a', 'h', r('cpus(web):2;mem(web):512;cpus:1;mem:256'));
    state.addFramework('ops', ['ops']);
    expect(lines(pass(state))).to.deep.equal(['ops@a(ops): cpus:1;mem:256']);
    state.addFramework('web', ['web']);
    expect(lines(pass(state))).to.deep.equal(['web@a(web): cpus(web):2;mem(web):512']);
  });

  it('counts reservations toward their role\'s share, allocated or not', () => {
    const state = newState();
    state.addAgent('a', 'h', r('cpus(web):2;cpus:2'));
    expect(state.roles.get('web')!.consumed().value('cpus')).to.equal(2);
    expect(state.roleShare('web')).to.equal(0.5);
  });

  it('filters a declined agent for its framework and role until refuse_seconds pass on the clock', () => {
    const state = newState();
    state.addAgent('a', 'h', r('cpus:1;mem:100'));
    state.addFramework('f', ['web']);
    const [first] = pass(state, 0);
    state.recover('f', 'a', offered(first!), { seconds: 5, now: 0 });
    expect(pass(state, 4_999)).to.deep.equal([]);
    expect(lines(pass(state, 5_000))).to.deep.equal(['f@a(web): cpus:1;mem:100']);
  });

  it('lets a filtered offer through when the agent has more to give than was declined', () => {
    const state = newState();
    state.addAgent('a', 'h', r('cpus:2;mem:200'));
    state.addFramework('f', ['web']);
    state.addFramework('other', ['web']);
    state.suppress('other');
    const [first] = pass(state);
    // f declines half for an hour; the other half it keeps, then gives back unfiltered.
    state.recover('f', 'a', offered(first!).capScalars(new Map([['cpus', 1000], ['mem', 100000]])), { seconds: 3600, now: 0 });
    state.recover('f', 'a', offered(first!).subtract(offered(first!).capScalars(new Map([['cpus', 1000], ['mem', 100000]]))));
    expect(lines(pass(state, 1))).to.deep.equal(['f@a(web): cpus:2;mem:200']);
  });

  it('skips an agent its filter covers pass after pass, and offers it once the agent frees more', () => {
    const state = newState();
    state.addAgent('a', 'h', r('cpus:2;mem:200'));
    state.addFramework('f', ['web']);
    state.addFramework('other', ['web']);
    state.suppress('other');
    const [first] = pass(state);
    const half = offered(first!).capScalars(new Map([['cpus', 1000], ['mem', 100000]]));
    // f declines one half for an hour: all the agent has free is inside the filter.
    state.recover('f', 'a', half, { seconds: 3600, now: 0 });
    expect(pass(state, 1)).to.deep.equal([]);
    expect(pass(state, 2)).to.deep.equal([]); // the same free resources: the filter's answer is kept
    // The other half comes back unfiltered (a task ended): more than the filter holds is free.
    state.recover('f', 'a', offered(first!).subtract(half));
    expect(lines(pass(state, 3))).to.deep.equal(['f@a(web): cpus:2;mem:200']);
  });

  it('lets an agent its filter covered through once the filter expires', () => {
    const state = newState();
    state.addAgent('a', 'h', r('cpus:1;mem:100'));
    state.addFramework('f', ['web']);
    const [first] = pass(state, 0);
    state.recover('f', 'a', offered(first!), { seconds: 5, now: 0 });
    expect(pass(state, 1_000)).to.deep.equal([]);
    expect(pass(state, 4_999)).to.deep.equal([]);
    expect(lines(pass(state, 5_000))).to.deep.equal(['f@a(web): cpus:1;mem:100']);
  });

  it('offers an agent no one took to a framework that comes later, or one activated again', () => {
    const state = newState();
    state.addAgent('a', 'h', r('cpus:1;mem:100'));
    state.addFramework('f', ['web']);
    const [first] = pass(state, 0);
    state.recover('f', 'a', offered(first!), { seconds: 3600, now: 0 });
    expect(pass(state, 1)).to.deep.equal([]);
    state.addFramework('g', ['web']);
    expect(lines(pass(state, 2))).to.deep.equal(['g@a(web): cpus:1;mem:100']);
    expect(pass(state, 3)).to.deep.equal([]); // g holds it
    state.setFrameworkActive('g', false);
    state.recover('g', 'a', offered({ frameworkId: 'g', agentId: 'a', role: 'web', resources: r('cpus:1;mem:100') }));
    expect(pass(state, 4)).to.deep.equal([]); // f filtered it, g is inactive
    state.setFrameworkActive('g', true);
    expect(lines(pass(state, 5))).to.deep.equal(['g@a(web): cpus:1;mem:100']);
  });

  it('sends no offers to a suppressed role until it revives, and revive drops its filters', () => {
    const state = newState();
    state.addAgent('a', 'h', r('cpus:1;mem:100'));
    state.addFramework('f', ['web']);
    const [first] = pass(state);
    state.recover('f', 'a', offered(first!), { seconds: 1e6, now: 0 });
    state.suppress('f', ['web']);
    expect(pass(state, 10)).to.deep.equal([]);
    state.revive('f', ['web']);
    expect(lines(pass(state, 10))).to.deep.equal(['f@a(web): cpus:1;mem:100']);
  });

  it('does not offer leftovers below the minimum allocatable (cpus 0.01 or mem 32)', () => {
    const state = newState();
    state.addAgent('a', 'h', r('cpus:0.005;mem:31;disk:1000'));
    state.addFramework('f', ['web']);
    expect(pass(state)).to.deep.equal([]);
  });

  it('counts a framework\'s recovered tasks as allocated', () => {
    const state = newState();
    state.addAgent('a', 'h', r('cpus:4;mem:400'));
    state.addFramework('old', ['web'], { used: new Map([['a', r('cpus:3;mem:300').withAllocation('web')]]) });
    state.addFramework('new', ['web']);
    expect(lines(pass(state))).to.deep.equal(['new@a(web): cpus:1;mem:100']);
    expect(state.frameworkShare('old', 'web')).to.equal(0.75);
  });

  it('offers nothing from a deactivated agent and frees what a removed agent held', () => {
    const state = newState();
    state.addAgent('a', 'h', r('cpus:1;mem:100'));
    state.addAgent('b', 'h', r('cpus:1;mem:100'));
    state.addFramework('f', ['web']);
    state.setAgentActive('b', false);
    expect(lines(pass(state))).to.deep.equal(['f@a(web): cpus:1;mem:100']);
    state.removeAgent('a');
    expect(state.roles.get('web')!.consumed().isEmpty()).to.equal(true);
    expect(state.total.value('cpus')).to.equal(1);
  });

  it('offers to no framework that is deactivated', () => {
    const state = newState();
    state.addAgent('a', 'h', r('cpus:1;mem:100'));
    state.addFramework('f', ['web'], { active: false });
    expect(pass(state)).to.deep.equal([]);
    state.setFrameworkActive('f', true);
    expect(pass(state)).to.have.length(1);
  });

  it('offers a multi-role framework in each of its roles', () => {
    const state = newState();
    state.addAgent('a', 'h', r('cpus(x):1;mem(x):100'));
    state.addAgent('b', 'h', r('cpus(y):1;mem(y):100'));
    state.addFramework('f', ['x', 'y']);
    expect(lines(pass(state))).to.deep.equal(['f@a(x): cpus(x):1;mem(x):100', 'f@b(y): cpus(y):1;mem(y):100']);
  });

  it('visits only the agents asked for in an event-driven pass', () => {
    const state = newState();
    state.addAgent('a', 'h', r('cpus:1;mem:100'));
    state.addAgent('b', 'h', r('cpus:1;mem:100'));
    state.addFramework('f', ['web']);
    expect(lines(pass(state, 0, ['b']))).to.deep.equal(['f@b(web): cpus:1;mem:100']);
  });
});
