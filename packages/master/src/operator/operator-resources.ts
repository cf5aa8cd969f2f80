import { Resources, resourceMap, type ResourceMap } from '@tessera/protocol';

export { attributeMap, resourceMap, type ResourceMap } from '@tessera/protocol';
import type { AgentRecord, FrameworkRecord, MasterState } from '../master-state.js';
import { sumOfTaskResources } from '../task-storage.js';

/** Reserved resources by the role they are reserved for (v0 `reserved_resources`). */
export function reservedMap(resources: Resources): Record<string, ResourceMap> {
  const roles = new Set<string>();
  for (const resource of resources.reserved().toJSON()) {
    const role = resource.reservations?.at(-1)?.role ?? resource.role;
    if (role !== undefined && role !== '*') roles.add(role);
  }
  return Object.fromEntries([...roles].map((role) => [role, resourceMap(resources.reserved(role))]));
}

/** What the agent's live tasks and the frameworks' executors on it use. */
export function usedOnAgent(state: MasterState, agent: AgentRecord): Resources {
  let used = sumOfTaskResources([...agent.tasks].map((record) => record.task));
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

/**
 * The framework's live tasks' resources, summed once per tasksVersion (which grows with every
 * task added, changed or ended): /state summed 100,000 tasks' resources every build.
 */
const liveTaskSums = new WeakMap<FrameworkRecord, { version: number; sum: Resources }>();

function liveTaskResources(framework: FrameworkRecord): Resources {
  const kept = liveTaskSums.get(framework);
  if (kept?.version === framework.tasksVersion) return kept.sum;
  const sum = sumOfTaskResources([...framework.tasks.values()].map((record) => record.task));
  liveTaskSums.set(framework, { version: framework.tasksVersion, sum });
  return sum;
}

/** What the framework's live tasks and executors use. */
export function usedByFramework(framework: FrameworkRecord): Resources {
  let used = liveTaskResources(framework);
  for (const executors of framework.executors.values()) {
    for (const executor of executors.values()) if (executor.resources !== undefined) used = used.add(Resources.of(executor.resources));
  }
  return used;
}

export function offeredToFramework(state: MasterState, frameworkId: string): Resources {
  return state.offers.ofFramework(frameworkId).reduce((sum, offer) => sum.add(offer.resources), Resources.EMPTY);
}
