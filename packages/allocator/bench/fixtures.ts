/**
 * The clusters of Mesos's allocator benchmarks, built into an AllocatorState (ours) or into the
 * plain description the naive allocator takes, from the same seed, so both see the same input.
 */
import { performance } from 'node:perf_hooks';
import { Random } from '@tessera/process';
import { Resources } from '@tessera/protocol';
import { AllocatorState, Quantities, type Quota, type UniformSource } from '../src/index.js';
import type { NaiveCluster } from './naive-allocator.js';

/** The runtime's seeded generator: the same seed visits agents in the same order. */
export function seeded(seed: number): UniformSource {
  return new Random(seed);
}

/** One benchmark cluster: agents (all alike), frameworks with one role each, quotas by role. */
export interface Cluster {
  agents: number;
  agentResources: Resources;
  /** The role of framework `i`. */
  frameworks: readonly string[];
  quotas: ReadonlyMap<string, Quota>;
}

/**
 * Mesos's allocation-cycle chart (1.7 blog, HierarchicalAllocator_BENCHMARK_Test): every agent
 * `cpus:24;mem:4096;disk:4096;ports:[31000-32000]`, all frameworks in one role, no quota.
 */
export function oneRoleCluster(agents: number, frameworks: number): Cluster {
  return {
    agents,
    agentResources: Resources.parse('cpus:24;mem:4096;disk:4096;ports:[31000-32000]'),
    frameworks: Array.from({ length: frameworks }, () => 'bench'),
    quotas: new Map(),
  };
}

/**
 * Mesos's `BENCHMARK_HierarchicalAllocator_WithQuotaParam.LargeAndSmallQuota/2`: 3,000 agents
 * `cpus:2;mem:2048;disk:2048`, 2,500 roles guaranteed cpus:1/mem:1024/disk:1024 and 500
 * guaranteed cpus:4/mem:4096/disk:4096, one framework per role. `scale` shrinks all three counts.
 */
export function quotaCluster(scale = 1): Cluster {
  const small = Math.round(2_500 * scale);
  const large = Math.round(500 * scale);
  const roles = [...Array.from({ length: small }, (_, i) => `small-${i}`), ...Array.from({ length: large }, (_, i) => `large-${i}`)];
  const quotas = new Map<string, Quota>();
  const smallQuota = Quantities.from({ cpus: 1, mem: 1024, disk: 1024 });
  const largeQuota = Quantities.from({ cpus: 4, mem: 4096, disk: 4096 });
  for (const role of roles) quotas.set(role, { guarantee: role.startsWith('small') ? smallQuota : largeQuota, limit: undefined });
  return { agents: Math.round(3_000 * scale), agentResources: Resources.parse('cpus:2;mem:2048;disk:2048'), frameworks: roles, quotas };
}

export const agentId = (i: number): string => `agent-${i}`;
export const frameworkId = (i: number): string => `framework-${i}`;

/** A built state and what building it cost, in milliseconds. */
export interface Built {
  state: AllocatorState;
  addAgentsMs: number;
  addFrameworksMs: number;
}

/** Builds our allocator's state for a cluster: quotas, then agents, then frameworks. */
export function buildState(cluster: Cluster, seed: number): Built {
  const state = new AllocatorState({ random: seeded(seed) });
  for (const [role, quota] of cluster.quotas) state.setQuota(role, quota);
  const t0 = performance.now();
  for (let i = 0; i < cluster.agents; i += 1) state.addAgent(agentId(i), `host-${i}`, cluster.agentResources);
  const t1 = performance.now();
  cluster.frameworks.forEach((role, i) => state.addFramework(frameworkId(i), [role]));
  const t2 = performance.now();
  return { state, addAgentsMs: t1 - t0, addFrameworksMs: t2 - t1 };
}

/** The same cluster as the naive allocator takes it. */
export function naiveCluster(cluster: Cluster): NaiveCluster {
  const guarantees = new Map<string, Quantities>();
  for (const [role, quota] of cluster.quotas) guarantees.set(role, quota.guarantee);
  return {
    agents: Array.from({ length: cluster.agents }, (_, i) => ({ id: agentId(i), resources: cluster.agentResources })),
    frameworks: cluster.frameworks.map((role, i) => ({ id: frameworkId(i), role })),
    guarantees,
  };
}
