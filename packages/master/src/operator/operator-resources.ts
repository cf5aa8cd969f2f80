import { Resources, type Attribute } from '@tessera/protocol';
import type { AgentRecord, FrameworkRecord, MasterState } from '../master-state.js';

/** Resources as Mesos's v0 JSON writes them: scalars by name, ranges as `[a-b, c-d]`, sets as `{a,b}`. */
export type ResourceMap = Record<string, number | string>;

/** The v0 map of `resources`, with cpus, mem, disk and gpus always present (0 when none). */
export function resourceMap(resources: Resources): ResourceMap {
  const out: ResourceMap = { cpus: 0, mem: 0, disk: 0, gpus: 0 };
  for (const name of resources.names()) {
    const ranges = resources.ranges(name);
    const items = resources.set(name);
    if (ranges.length > 0) out[name] = `[${ranges.map((r) => `${r.begin}-${r.end}`).join(', ')}]`;
    else if (items.length > 0) out[name] = `{${items.join(',')}}`;
    else out[name] = resources.scalar(name);
  }
  return out;
}

/** Reserved resources by the role they are reserved for (v0 `reserved_resources`). */
export function reservedMap(resources: Resources): Record<string, ResourceMap> {
  const roles = new Set<string>();
  for (const resource of resources.reserved().toJSON()) {
    const role = resource.reservations?.at(-1)?.role ?? resource.role;
    if (role !== undefined && role !== '*') roles.add(role);
  }
  return Object.fromEntries([...roles].map((role) => [role, resourceMap(resources.reserved(role))]));
}

/** Attributes as v0 writes them: `{rack: "r1", level: 2, zone: "{a,b}"}`. */
export function attributeMap(attributes: Attribute[] | undefined): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const a of attributes ?? []) {
    if (a.type === 'SCALAR' && a.scalar !== undefined) out[a.name] = a.scalar.value;
    else if (a.type === 'TEXT' && a.text !== undefined) out[a.name] = a.text.value;
    else if (a.type === 'RANGES' && a.ranges !== undefined) out[a.name] = `[${a.ranges.range.map((r) => `${r.begin}-${r.end}`).join(', ')}]`;
    else if (a.type === 'SET' && a.set !== undefined) out[a.name] = `{${a.set.item.join(',')}}`;
  }
  return out;
}

/** What the agent's live tasks and the frameworks' executors on it use. */
export function usedOnAgent(state: MasterState, agent: AgentRecord): Resources {
  let used = Resources.EMPTY;
  for (const record of agent.tasks.values()) used = used.add(Resources.of(record.task.resources));
  for (const framework of state.frameworks.values()) {
    for (const executor of framework.executors.get(agent.id)?.values() ?? []) {
      if (executor.resources !== undefined) used = used.add(Resources.of(executor.resources));
    }
  }
  return used;
}

/** What the master has offered on the agent and not seen used or returned. */
export function offeredOnAgent(state: MasterState, agentId: string): Resources {
  return state.offers.onAgent(agentId).reduce((sum, offer) => sum.add(offer.resources), Resources.EMPTY);
}

/** What the framework's live tasks and executors use. */
export function usedByFramework(framework: FrameworkRecord): Resources {
  let used = Resources.EMPTY;
  for (const record of framework.tasks.values()) used = used.add(Resources.of(record.task.resources));
  for (const executors of framework.executors.values()) {
    for (const executor of executors.values()) if (executor.resources !== undefined) used = used.add(Resources.of(executor.resources));
  }
  return used;
}

export function offeredToFramework(state: MasterState, frameworkId: string): Resources {
  return state.offers.ofFramework(frameworkId).reduce((sum, offer) => sum.add(offer.resources), Resources.EMPTY);
}
