import { Resources, type Task } from '@tessera/protocol';
import type { OperatorSources } from './operator-host.js';
import { resourceMap } from './operator-resources.js';
import { taskResources } from '../task-storage.js';
import { taskView } from './operator-views.js';

/** Bad query parameters: the view answers 400 with this message. */
export class QueryError extends Error {}

function count(query: Record<string, string>, name: string, fallback: number): number {
  const raw = query[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new QueryError(`${name} must be a whole number of zero or more, got '${raw}'`);
  return value;
}

const startOf = (task: Task): number => task.statuses?.[0]?.timestamp ?? 0;

/**
 * Mesos's /tasks: live and completed tasks of every framework, optionally of one framework or one
 * task id, by start time (`order` desc by default), `limit` (100) from `offset` (0).
 */
export function tasksView(s: OperatorSources, query: Record<string, string>): Record<string, unknown> {
  const limit = count(query, 'limit', 100);
  const offset = count(query, 'offset', 0);
  const order = query['order'] ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw new QueryError(`order must be 'asc' or 'desc', got '${order}'`);
  const frameworks = [...s.state.frameworks.values(), ...s.state.completedFrameworks]
    .filter((f) => query['framework_id'] === undefined || f.id === query['framework_id']);
  let tasks = frameworks.flatMap((f) => [...[...f.tasks.values()].map((r) => r.task), ...f.completedTasks]);
  if (query['task_id'] !== undefined) tasks = tasks.filter((t) => t.task_id.value === query['task_id']);
  tasks.sort((a, b) => (order === 'asc' ? startOf(a) - startOf(b) : startOf(b) - startOf(a)));
  return { tasks: tasks.slice(offset, offset + limit).map(taskView) };
}

/** A role as the operator sees it: weight, quota, frameworks in it, what it holds and is offered. */
export interface RoleSummary {
  name: string;
  weight: number;
  frameworks: string[];
  allocated: Resources;
  offered: Resources;
}

/** Every role that has a framework, a weight or a quota, sorted by name. */
export function roleSummaries(s: OperatorSources): RoleSummary[] {
  const roles = new Map<string, RoleSummary>();
  const role = (name: string): RoleSummary => {
    let r = roles.get(name);
    if (r === undefined) roles.set(name, (r = { name, weight: s.state.weights.get(name) ?? 1, frameworks: [], allocated: Resources.EMPTY, offered: Resources.EMPTY }));
    return r;
  };
  for (const name of s.state.weights.keys()) role(name);
  for (const name of s.state.quotas.keys()) role(name);
  for (const framework of s.state.frameworks.values()) {
    for (const name of framework.roles) role(name).frameworks.push(framework.id);
    for (const record of framework.tasks.values()) {
      const resources = taskResources(record.task);
      for (const name of framework.roles) {
        const mine = resources.allocatedTo(name);
        if (!mine.isEmpty()) role(name).allocated = role(name).allocated.add(mine);
      }
    }
  }
  for (const offer of s.state.offers.offers.values()) role(offer.role).offered = role(offer.role).offered.add(offer.resources);
  return [...roles.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function rolesView(s: OperatorSources): Record<string, unknown> {
  return {
    roles: roleSummaries(s).map((r) => {
      const quota = s.state.quotas.get(r.name);
      return {
        name: r.name, weight: r.weight, frameworks: r.frameworks,
        resources: resourceMap(r.allocated), allocated: resourceMap(r.allocated), offered: resourceMap(r.offered),
        ...(quota === undefined ? {} : { quota: { role: r.name, guarantee: scalars(quota.guarantees), limit: scalars(quota.limits) } }),
      };
    }),
  };
}

const scalars = (map: Record<string, { value: number }> | undefined): Record<string, number> =>
  Object.fromEntries(Object.entries(map ?? {}).map(([k, v]) => [k, v.value]));
