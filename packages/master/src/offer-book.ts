import type { Offer } from '@tessera/protocol';
import type { OfferRecord } from './accept-validation.js';

/** An outstanding offer: what validation needs, and the offer as the framework got it. */
export interface OutstandingOffer extends OfferRecord {
  offer: Offer;
  role: string;
}

/**
 * The offers the master has made and not yet seen used, declined, rescinded or timed out, indexed
 * by id, agent and framework so that an agent's loss or a framework's failover finds its offers
 * without a scan.
 */
export class OfferBook {
  private readonly byId = new Map<string, OutstandingOffer>();
  private readonly byAgent = new Map<string, Set<string>>();
  private readonly byFramework = new Map<string, Set<string>>();

  get size(): number {
    return this.byId.size;
  }

  /** The offers as validation reads them. */
  get offers(): ReadonlyMap<string, OutstandingOffer> {
    return this.byId;
  }

  add(record: OutstandingOffer): void {
    this.byId.set(record.id, record);
    index(this.byAgent, record.agentId).add(record.id);
    index(this.byFramework, record.frameworkId).add(record.id);
  }

  get(id: string): OutstandingOffer | undefined {
    return this.byId.get(id);
  }

  /** Takes the offer out of the book; undefined when it is not (or no longer) there. */
  remove(id: string): OutstandingOffer | undefined {
    const record = this.byId.get(id);
    if (record === undefined) return undefined;
    this.byId.delete(id);
    unindex(this.byAgent, record.agentId, id);
    unindex(this.byFramework, record.frameworkId, id);
    return record;
  }

  /** The agent's offers, in a new list; the one shared empty list when it has none (most agents, most of the time). */
  onAgent(agentId: string): readonly OutstandingOffer[] {
    const ids = this.byAgent.get(agentId);
    return ids === undefined ? NO_OFFERS : [...ids].map((id) => this.byId.get(id)!);
  }

  ofFramework(frameworkId: string): OutstandingOffer[] {
    return [...(this.byFramework.get(frameworkId) ?? [])].map((id) => this.byId.get(id)!);
  }
}

const NO_OFFERS: readonly OutstandingOffer[] = Object.freeze([]);

function index(map: Map<string, Set<string>>, key: string): Set<string> {
  let set = map.get(key);
  if (set === undefined) map.set(key, (set = new Set()));
  return set;
}

function unindex(map: Map<string, Set<string>>, key: string, id: string): void {
  const set = map.get(key);
  if (set === undefined) return;
  set.delete(id);
  if (set.size === 0) map.delete(key);
}
