import type { Resources } from '@tessera/protocol';

/**
 * A declined offer's filter, as Mesos's RefusedOfferFilter: until `expiresAt`, the framework is
 * not offered these resources of this agent in this role again. An offer with anything more (the
 * agent freed resources since) passes the filter.
 */
export interface RefusedFilter {
  resources: Resources;
  expiresAt: number;
  /**
   * The agent's free resources (an immutable object) last found inside `resources`, and last
   * found not to be: a pass over an agent whose free resources have not changed asks again with
   * the same object, and the answer is a comparison.
   */
  covers: Resources | undefined;
  coversNot: Resources | undefined;
}

/** Mesos's bounds on `refuse_seconds`: default 5 s, at most 365 days; a negative value means the default. */
export const DEFAULT_REFUSE_SECONDS = 5;
export const MAX_REFUSE_SECONDS = 365 * 24 * 3600;

/** Normalizes `refuse_seconds` as Mesos does. */
export function refuseSeconds(requested: number | undefined): number {
  if (requested === undefined || requested < 0 || Number.isNaN(requested)) return DEFAULT_REFUSE_SECONDS;
  return Math.min(requested, MAX_REFUSE_SECONDS);
}

/** One framework's filters: role -> agent -> filter. */
export class OfferFilters {
  private readonly byRole = new Map<string, Map<string, RefusedFilter>>();

  add(role: string, agentId: string, resources: Resources, expiresAt: number): void {
    let byAgent = this.byRole.get(role);
    if (byAgent === undefined) {
      byAgent = new Map();
      this.byRole.set(role, byAgent);
    }
    // Every field set at once: filters all share one shape, which the pass's lookups rely on.
    byAgent.set(agentId, { resources, expiresAt, covers: undefined, coversNot: undefined });
  }

  /** True when offering `resources` of `agentId` in `role` at `now` is filtered. */
  filters(role: string, agentId: string, resources: Resources, now: number): boolean {
    const filter = this.byRole.get(role)?.get(agentId);
    if (filter === undefined) return false;
    if (filter.expiresAt <= now) {
      this.byRole.get(role)!.delete(agentId);
      return false;
    }
    return filter.resources.contains(resources);
  }

  /**
   * When the filter on `agentId` in `role` holds all of `available` that the role may take
   * (`available.allocatableTo(role)`), so that no offer of it can pass, the time it expires;
   * else undefined. The pass then skips the agent for this framework without building the offer:
   * with 10,000 agents declined for a while by a few frameworks, every periodic pass met a filter
   * at nearly every agent for each of them.
   */
  coveredUntil(role: string, agentId: string, available: Resources, now: number): number | undefined {
    const filter = this.byRole.get(role)?.get(agentId);
    if (filter === undefined) return undefined;
    if (filter.expiresAt <= now) {
      this.byRole.get(role)!.delete(agentId);
      return undefined;
    }
    if (filter.covers === available) return filter.expiresAt;
    if (filter.coversNot === available) return undefined;
    const covered = filter.resources.contains(available.allocatableTo(role));
    if (covered) filter.covers = available;
    else filter.coversNot = available;
    return covered ? filter.expiresAt : undefined;
  }

  /** When the filter on `agentId` in `role` expires (undefined: none). */
  expiryOf(role: string, agentId: string): number | undefined {
    return this.byRole.get(role)?.get(agentId)?.expiresAt;
  }

  /** Drops the filters of the given roles (all roles when none given): a REVIVE. */
  clear(roles?: Iterable<string>): void {
    if (roles === undefined) this.byRole.clear();
    else for (const role of roles) this.byRole.delete(role);
  }

  /** Drops every filter on an agent (it was removed or changed). */
  clearAgent(agentId: string): void {
    for (const byAgent of this.byRole.values()) byAgent.delete(agentId);
  }

  /** Drops expired filters. */
  expire(now: number): void {
    for (const byAgent of this.byRole.values()) {
      for (const [agentId, filter] of byAgent) if (filter.expiresAt <= now) byAgent.delete(agentId);
    }
  }

  /** Active filters per role (for metrics). */
  countByRole(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [role, byAgent] of this.byRole) if (byAgent.size > 0) out.set(role, byAgent.size);
    return out;
  }
}
