import { Random } from '@tessera/process';
import { Resources } from '@tessera/protocol';
import { AllocatorState } from '../src/allocator-state.js';
import { allocate } from '../src/allocation-pass.js';
import type { Allocation } from '../src/allocator-state.js';

/** The runtime's seeded generator, so passes visit agents in a repeatable order. */
export function seeded(seed = 1): Random {
  return new Random(seed);
}

/** A fresh state with the default DRF sorters. */
export function newState(seed = 1): AllocatorState {
  return new AllocatorState({ random: seeded(seed) });
}

/** One pass at time `now` over every agent. */
export function pass(state: AllocatorState, now = 0, agentIds?: string[]): Allocation[] {
  return allocate(state, { now, random: seeded(now + 1), agentIds });
}

/** `cpus:1;mem:2` and friends. */
export const r = (text: string): Resources => Resources.parse(text);

/** The allocation info a master puts on offered resources. */
export const offered = (a: Allocation): Resources => a.resources.withAllocation(a.role);

/** Allocations as `framework@agent(role): resources` lines, sorted, for exact comparisons. */
export function describe(allocations: Allocation[]): string[] {
  return allocations.map((a) => `${a.frameworkId}@${a.agentId}(${a.role}): ${a.resources.toString()}`).sort();
}
