import type { AllocatorState } from './allocator-state.js';
import { Quantities } from './quantities.js';

/** Keeps the last allocation runs' durations, for the last value and percentiles. */
export class RunTimes {
  private readonly window: number[] = [];
  private runs = 0;
  private last = 0;

  constructor(private readonly size = 1_000) {}

  record(ms: number): void {
    this.runs += 1;
    this.last = ms;
    this.window.push(ms);
    if (this.window.length > this.size) this.window.shift();
  }

  /** `allocation_runs`, `allocation_run_ms` and its percentiles, under Mesos's names. */
  snapshot(): Record<string, number> {
    const sorted = [...this.window].sort((a, b) => a - b);
    const at = (p: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!);
    return {
      'allocator/mesos/allocation_runs': this.runs,
      'allocator/mesos/allocation_run_ms': this.last,
      'allocator/mesos/allocation_run_ms/count': sorted.length,
      'allocator/mesos/allocation_run_ms/min': sorted[0] ?? 0,
      'allocator/mesos/allocation_run_ms/max': sorted[sorted.length - 1] ?? 0,
      'allocator/mesos/allocation_run_ms/p50': at(0.5),
      'allocator/mesos/allocation_run_ms/p90': at(0.9),
      'allocator/mesos/allocation_run_ms/p99': at(0.99),
      'allocator/mesos/allocation_run_ms/p999': at(0.999),
    };
  }
}

/**
 * The allocator's gauges under Mesos's metric names: each role's dominant share, each
 * resource's total and offered-or-allocated amount, each role's active offer filters, and quota.
 */
export function allocatorGauges(state: AllocatorState): Record<string, number> {
  const out: Record<string, number> = {};
  for (const role of state.roles.values()) {
    out[`allocator/mesos/roles/${role.name}/shares/dominant`] = state.roleShare(role.name);
    for (const [name, milli] of role.quota?.guarantee.entries() ?? []) out[`allocator/mesos/quota/roles/${role.name}/resources/${name}/guarantee`] = milli / 1000;
    for (const [name, milli] of role.quota?.limit ?? []) out[`allocator/mesos/quota/roles/${role.name}/resources/${name}/limit`] = milli / 1000;
    if (role.quota !== undefined) {
      for (const [name, milli] of role.consumed().entries()) out[`allocator/mesos/quota/roles/${role.name}/resources/${name}/offered_or_allocated`] = milli / 1000;
    }
  }
  const available = new Quantities();
  for (const agent of state.agents.values()) available.add(Quantities.of(agent.available));
  for (const [name, milli] of state.total.entries()) {
    out[`allocator/mesos/resources/${name}/total`] = milli / 1000;
    out[`allocator/mesos/resources/${name}/offered_or_allocated`] = (milli - available.get(name)) / 1000;
  }
  const filters = new Map<string, number>();
  for (const framework of state.frameworks.values()) {
    for (const [role, count] of framework.filters.countByRole()) filters.set(role, (filters.get(role) ?? 0) + count);
  }
  for (const [role, count] of filters) out[`allocator/mesos/offer_filters/roles/${role}/active`] = count;
  return out;
}
