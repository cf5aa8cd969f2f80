import { Resources } from '@tessera/protocol';
import { AllocatorState } from '../src/allocator-state.js';
import { allocate } from '../src/allocation-pass.js';
import type { Allocation } from '../src/allocator-state.js';

/** A seeded uniform source (mulberry32), so passes visit agents in a repeatable order. */
export function seeded(seed = 1): { next(): number } {
  let a = seed >>> 0;
  return {
    next() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
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
