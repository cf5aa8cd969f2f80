import { Resources } from '@tessera/protocol';
import { OfferFilters } from './filters.js';
import { Quantities } from './quantities.js';

/** An agent as the allocator sees it. */
export class AgentRecord {
  /** What is neither offered nor used: `total` less every allocation. */
  available: Resources;
  active = true;
  /** Allocations on this agent by `frameworkId \0 role`, without allocation info. */
  readonly allocations = new Map<string, Resources>();

  constructor(readonly id: string, public total: Resources, readonly hostname: string) {
    this.available = total;
  }
}

/** A framework as the allocator sees it. */
export class FrameworkRecord {
  active = true;
  readonly suppressed = new Set<string>();
  readonly filters = new OfferFilters();
  /** Agents this framework holds allocations on. */
  readonly agents = new Set<string>();
  private readonly keys = new Map<string, string>();

  constructor(readonly id: string, public roles: Set<string>) {}

  /** The key of this framework's allocations in `role`, built once (it is hashed per allocation). */
  allocationKey(role: string): string {
    let key = this.keys.get(role);
    if (key === undefined) {
      key = allocationKey(this.id, role);
      this.keys.set(role, key);
    }
    return key;
  }
}

/**
 * Quota of a role: a guarantee held back as headroom, and a limit never exceeded. A limit maps
 * resource names to thousandths and keeps zeros (`cpus: 0` forbids cpus), which Quantities, a
 * ledger that drops zeros, cannot say.
 */
export interface Quota {
  guarantee: Quantities;
  limit: ReadonlyMap<string, number> | undefined;
}

/** A quota limit from `{cpus: 4, mem: 4096}`; zeros are kept. */
export function quotaLimit(record: Readonly<Record<string, number>>): ReadonlyMap<string, number> {
  return new Map(Object.entries(record).map(([name, value]) => [name, Math.round(value * 1000)]));
}

/**
 * What a role holds against its quota and its share (Mesos 1.9's "consumed"): every resource
 * reserved for it, allocated or not, plus the unreserved resources allocated to it.
 */
export class RoleRecord {
  readonly frameworks = new Set<string>();
  readonly reserved = new Quantities();
  readonly allocatedUnreserved = new Quantities();
  weight = 1;
  quota: Quota | undefined;

  constructor(readonly name: string) {}

  consumed(): Quantities {
    return this.reserved.clone().add(this.allocatedUnreserved);
  }

  /** What the role's guarantee still lacks (empty without quota). */
  unsatisfied(): Quantities {
    return this.quota === undefined ? new Quantities() : this.quota.guarantee.shortfall(this.consumed());
  }

  /**
   * Room left under the limit, in thousandths, for every limited resource (zero included: a cap
   * of nothing); undefined when the role has no limit.
   */
  limitRoom(): Map<string, number> | undefined {
    const limit = this.quota?.limit;
    if (limit === undefined) return undefined;
    const consumed = this.consumed();
    const room = new Map<string, number>();
    for (const [name, milli] of limit) room.set(name, Math.max(0, milli - consumed.get(name)));
    return room;
  }

  /** Nothing refers to it any more. */
  isIdle(): boolean {
    return this.frameworks.size === 0 && this.reserved.isEmpty() && this.allocatedUnreserved.isEmpty() && this.quota === undefined && this.weight === 1;
  }
}

/** The key of a (framework, role) allocation on an agent. */
export function allocationKey(frameworkId: string, role: string): string {
  return `${frameworkId}\u0000${role}`;
}

/** Splits an allocation key. */
export function parseAllocationKey(key: string): { frameworkId: string; role: string } {
  const at = key.indexOf('\u0000');
  return { frameworkId: key.slice(0, at), role: key.slice(at + 1) };
}

/**
 * Mesos's `--min_allocatable_resources`: offers must hold at least one of these quantity sets
 * (default `cpus:0.01|mem:32`), so that crumbs are not offered.
 */
export const DEFAULT_MIN_ALLOCATABLE: readonly Quantities[] = [Quantities.from({ cpus: 0.01 }), Quantities.from({ mem: 32 })];
