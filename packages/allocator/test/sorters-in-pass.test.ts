import { expect } from 'chai';
import { AllocatorState } from '../src/allocator-state.js';
import { allocate } from '../src/allocation-pass.js';
import { RandomSorter } from '../src/sorter/random-sorter.js';
import { Quantities } from '../src/quantities.js';
import { newState, pass, r, seeded } from './support.js';

describe('sorters in a pass', () => {
  it('shares fairly down the role tree: eng/backend and eng/frontend split what eng gets', () => {
    const state = newState();
    for (let i = 0; i < 12; i += 1) state.addAgent(`a${i}`, `h${i}`, r('cpus:1;mem:100'));
    state.addFramework('backend', ['eng/backend']);
    state.addFramework('frontend', ['eng/frontend']);
    state.addFramework('ops', ['ops']);
    const byRole: Record<string, number> = {};
    for (const a of pass(state)) byRole[a.role] = (byRole[a.role] ?? 0) + 1;
    // eng and ops are siblings and split 6:6; eng's 6 split 3:3 between its children.
    expect(byRole).to.deep.equal({ 'eng/backend': 3, 'eng/frontend': 3, ops: 6 });
  });

  it('behind the same interface, the random sorter visits in a weighted random order', () => {
    const random = seeded(42);
    const sorter = new RandomSorter(random);
    sorter.add('heavy');
    sorter.add('light');
    sorter.setWeight('heavy', 3);
    let heavyFirst = 0;
    for (let i = 0; i < 4_000; i += 1) if (sorter.sort()[0] === 'heavy') heavyFirst += 1;
    // P(heavy first) = 3 / (3 + 1) = 0.75 for exponential keys.
    expect(heavyFirst / 4_000).to.be.closeTo(0.75, 0.03);
  });

  it('runs a whole pass with random sorters, giving every agent away', () => {
    const state = new AllocatorState({ random: seeded(9), roleSorter: 'random', frameworkSorter: 'random' });
    for (let i = 0; i < 20; i += 1) state.addAgent(`a${i}`, `h${i}`, r('cpus:1;mem:100'));
    for (let i = 0; i < 4; i += 1) state.addFramework(`f${i}`, [`role${i % 2}`]);
    const allocations = allocate(state, { now: 0, random: seeded(1) });
    expect(allocations).to.have.length(20);
    expect(new Set(allocations.map((a) => a.frameworkId)).size).to.be.greaterThan(1);
  });

  it('is repeatable: the same seed gives the same allocations', () => {
    const run = (): string[] => {
      const state = newState(5);
      for (let i = 0; i < 10; i += 1) state.addAgent(`a${i}`, `h${i}`, r(`cpus:${1 + (i % 3)};mem:100`));
      for (let i = 0; i < 3; i += 1) state.addFramework(`f${i}`, ['web']);
      state.setQuota('web', { guarantee: Quantities.from({ cpus: 2 }), limit: undefined });
      return pass(state).map((a) => `${a.frameworkId}@${a.agentId}`);
    };
    expect(run()).to.deep.equal(run());
  });
});
