import { Resources, type Resource } from '@tessera/protocol';
import type { AgentState } from '../agent-state.js';
import type { CollectorStats } from '../gc/sandbox-collector.js';
import type { ContainerUsage, Isolator } from '../isolation/isolator.js';

/** What the agent's metrics are computed from (read inside the agent's mailbox). */
export interface AgentMetricsInput {
  state: AgentState;
  /** Registered with a master now. */
  registered: boolean;
  uptimeSecs: number;
  /** The agent's resources, as it offers them. */
  total: readonly Resource[];
  /** The resources of every live run (executor and tasks). */
  used: readonly Resource[];
  /** Each live container's usage, as its isolators measure it. */
  usage: readonly ContainerUsage[];
  isolators: readonly Isolator[];
  /** The fetcher's counts, when it keeps any. */
  fetcher?: { fetchesSucceeded: number; fetchesFailed: number; usedBytes: number; capacityBytes: number } | undefined;
  collector?: CollectorStats | undefined;
}

/** Task states the agent counts as Mesos's `slave/tasks_<state>` gauges. */
const LIVE_TASK_STATES = ['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING'] as const;

/**
 * The agent's `/metrics/snapshot`, by Mesos's names where Mesos has the metric (`slave/*`,
 * `containerizer/fetcher/*`, `gc/*`), and Tessera's own for what Mesos only shows per container:
 * `containerizer/usage/<ResourceStatistics field>` sums the isolators' figures over the live
 * containers (cgroup CPU time and memory, disk/du's disk, processes), and each isolator adds its
 * own (`containerizer/mesos/disk/du/*`, `containerizer/mesos/network/ports/*`).
 */
export function agentMetrics(input: AgentMetricsInput): Record<string, number> {
  const metrics: Record<string, number> = {
    'slave/uptime_secs': input.uptimeSecs,
    'slave/registered': input.registered ? 1 : 0,
  };
  const runs = input.state.runs();
  metrics['slave/executors_registering'] = runs.filter((r) => r.phase === 'launching').length;
  metrics['slave/executors_running'] = runs.filter((r) => r.phase === 'running').length;
  metrics['slave/executors_terminating'] = runs.filter((r) => r.phase === 'terminating').length;
  const tasks = input.state.frameworkIds().flatMap((id) => input.state.tasks(id));
  // TASK_RUNNING → slave/tasks_running
  for (const state of LIVE_TASK_STATES) metrics[`slave/tasks_${state.slice('TASK_'.length).toLowerCase()}`] = tasks.filter((t) => t.state === state).length;
  const total = Resources.of(input.total);
  const used = Resources.of(input.used);
  for (const name of ['cpus', 'mem', 'disk']) {
    const have = total.scalar(name);
    const taken = used.scalar(name);
    metrics[`slave/${name}_total`] = have;
    metrics[`slave/${name}_used`] = taken;
    metrics[`slave/${name}_percent`] = have > 0 ? taken / have : 0;
  }
  for (const [field, value] of Object.entries(sumUsage(input.usage))) metrics[`containerizer/usage/${field}`] = value;
  for (const isolator of input.isolators) Object.assign(metrics, isolator.metrics?.());
  if (input.fetcher !== undefined) {
    metrics['containerizer/fetcher/task_fetches_succeeded'] = input.fetcher.fetchesSucceeded;
    metrics['containerizer/fetcher/task_fetches_failed'] = input.fetcher.fetchesFailed;
    metrics['containerizer/fetcher/cache_size_total_bytes'] = input.fetcher.capacityBytes;
    metrics['containerizer/fetcher/cache_size_used_bytes'] = input.fetcher.usedBytes;
  }
  if (input.collector !== undefined) {
    metrics['gc/path_removals_succeeded'] = input.collector.removalsSucceeded;
    metrics['gc/path_removals_failed'] = input.collector.removalsFailed;
    metrics['gc/path_removals_pending'] = input.collector.pending;
  }
  return metrics;
}

/** Each figure summed over the containers that report it; a figure none reports is left out. */
export function sumUsage(usage: readonly ContainerUsage[]): Partial<Record<keyof ContainerUsage, number>> {
  const sums: Partial<Record<keyof ContainerUsage, number>> = {};
  for (const one of usage) {
    for (const [field, value] of Object.entries(one) as [keyof ContainerUsage, number | undefined][]) {
      if (value !== undefined) sums[field] = (sums[field] ?? 0) + value;
    }
  }
  return sums;
}
