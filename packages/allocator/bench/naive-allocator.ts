/**
 * The baseline the allocation-cycle benchmark measures ours against: the same two-stage policy as
 * `allocate()` (quota guarantees first, then DRF over roles and over each role's frameworks,
 * headroom held for unmet guarantees, minimum allocatable), written the simple way Mesos 1.6
 * wrote its sorter: for every agent, every client's dominant share is recomputed from its
 * allocation and the clients are sorted again (MESOS-9249). Ours keeps clients in heaps instead.
 *
 * Only what the benchmark clusters use is here: unreserved resources, one level of roles, weight
 * 1, guarantees without limits, active frameworks, no filters. Shares, tie-breaks (by name) and
 * agent order (Fisher-Yates with the same seeded source) are computed exactly as ours computes
 * them, so on the same input both return the same allocations, in the same order.
 */
import type { Resources } from '@tessera/protocol';
import { DEFAULT_MIN_ALLOCATABLE, Quantities, type Allocation, type UniformSource } from '../src/index.js';

/** The input: agents in the order they were added, frameworks with their one role, guarantees. */
export interface NaiveCluster {
  agents: readonly { id: string; resources: Resources }[];
  frameworks: readonly { id: string; role: string }[];
  guarantees: ReadonlyMap<string, Quantities>;
}

/** A client of a sort (a role or a framework) and what it holds. */
interface Client {
  name: string;
  allocation: Quantities;
}

interface Role extends Client {
  frameworks: Client[];
  guarantee: Quantities | undefined;
}

interface Headroom {
  required: Quantities;
  available: Quantities;
}

/** One allocation cycle over every agent; the cluster is not changed (the naive keeps its own books). */
export function naiveAllocate(cluster: NaiveCluster, random: UniformSource): Allocation[] {
  const total = new Quantities();
  for (const agent of cluster.agents) total.add(Quantities.of(agent.resources));
  // A guaranteed role without frameworks still holds headroom back.
  const roles = new Map<string, Role>();
  const roleNamed = (name: string): Role => {
    let record = roles.get(name);
    if (record === undefined) {
      record = { name, allocation: new Quantities(), frameworks: [], guarantee: cluster.guarantees.get(name) };
      roles.set(name, record);
    }
    return record;
  };
  for (const name of cluster.guarantees.keys()) roleNamed(name);
  for (const { id, role } of cluster.frameworks) roleNamed(role).frameworks.push({ name: id, allocation: new Quantities() });
  const available = new Map(cluster.agents.map((a) => [a.id, a.resources]));
  const order = shuffled(cluster.agents.map((a) => a.id), random);
  const out: Allocation[] = [];

  const give = (agentId: string, role: Role, framework: Client, offer: Resources): void => {
    available.set(agentId, available.get(agentId)!.subtract(offer));
    const q = Quantities.of(offer);
    framework.allocation.add(q);
    role.allocation.add(q);
    out.push({ frameworkId: framework.name, agentId, role: role.name, resources: offer });
  };

  // Stage one: roles whose guarantee is unmet, up to what each lacks.
  for (const agentId of order) {
    if (!allocatable(available.get(agentId)!)) continue;
    const lacking = [...roles.values()].filter((r) => !unsatisfied(r).isEmpty());
    walk(sortByShare(lacking, total), (role) => {
      for (const framework of sortByShare(role.frameworks, total)) {
        const short = unsatisfied(role);
        const offer = available.get(agentId)!.filter((r) => r.type !== 'SCALAR' || short.get(r.name) > 0).capScalars(short.asMap());
        if (offer.isEmpty() || !allocatable(offer)) continue;
        give(agentId, role, framework, offer);
        if (!allocatable(available.get(agentId)!)) break;
      }
      return !allocatable(available.get(agentId)!);
    });
  }

  // Stage two: every role, less the headroom the guarantees still unmet need.
  const headroom = computeHeadroom(roles, available);
  for (const agentId of order) {
    if (!allocatable(available.get(agentId)!)) continue;
    walk(sortByShare([...roles.values()], total), (role) => {
      for (const framework of sortByShare(role.frameworks, total)) {
        let offer = available.get(agentId)!;
        if (headroom !== undefined) offer = offer.capScalars(spare(headroom, role));
        if (offer.isEmpty() || !allocatable(offer)) continue;
        if (headroom !== undefined) spend(headroom, role, offer);
        give(agentId, role, framework, offer);
        if (!allocatable(available.get(agentId)!)) break;
      }
      return !allocatable(available.get(agentId)!);
    });
  }
  return out;
}

/** Every client's dominant share recomputed, then a full sort: the cost the heaps avoid. */
function sortByShare<C extends Client>(clients: readonly C[], total: Quantities): C[] {
  const keyed = clients.map((client) => ({ client, share: dominantShare(client.allocation, total) }));
  keyed.sort((a, b) => a.share - b.share || (a.client.name < b.client.name ? -1 : a.client.name > b.client.name ? 1 : 0));
  return keyed.map((k) => k.client);
}

function dominantShare(allocation: Quantities, total: Quantities): number {
  let dominant = 0;
  for (const [name, all] of total.entries()) {
    if (all <= 0) continue;
    const share = allocation.get(name) / all;
    if (share > dominant) dominant = share;
  }
  return dominant;
}

function walk<C>(clients: readonly C[], visit: (client: C) => boolean): void {
  for (const client of clients) if (visit(client)) return;
}

function unsatisfied(role: Role): Quantities {
  return role.guarantee === undefined ? new Quantities() : role.guarantee.shortfall(role.allocation);
}

function allocatable(resources: Resources): boolean {
  const q = Quantities.of(resources);
  return DEFAULT_MIN_ALLOCATABLE.some((min) => q.contains(min));
}

function shuffled(ids: string[], random: UniformSource): string[] {
  for (let i = ids.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random.next() * (i + 1));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  return ids;
}

function computeHeadroom(roles: ReadonlyMap<string, Role>, available: ReadonlyMap<string, Resources>): Headroom | undefined {
  const required = new Quantities();
  for (const role of roles.values()) required.add(unsatisfied(role));
  if (required.isEmpty()) return undefined;
  const free = new Quantities();
  for (const resources of available.values()) free.add(Quantities.of(resources));
  return { required, available: free };
}

/** What a role may take without eating the headroom other roles' guarantees need. */
function spare(headroom: Headroom, role: Role): Map<string, number> {
  const caps = new Map<string, number>();
  const own = unsatisfied(role);
  for (const [name, required] of headroom.required.entries()) caps.set(name, Math.max(0, headroom.available.get(name) - required + own.get(name)));
  return caps;
}

function spend(headroom: Headroom, role: Role, offer: Resources): void {
  const q = Quantities.of(offer);
  const own = unsatisfied(role);
  headroom.available.subtract(q);
  for (const [name, milli] of q.entries()) {
    const covered = Math.min(milli, own.get(name));
    if (covered > 0) headroom.required.addMilli(name, -covered);
  }
}
