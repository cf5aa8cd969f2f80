/**
 * The tables and figures each page draws, computed from the cluster model. Pure functions, so
 * what a page shows is tested without a browser.
 */
import type { ClusterModel } from './cluster-model.js';
import { TASK_STATES, TERMINAL_STATES, type AgentRecord, type FrameworkRecord, type TaskRecord } from './entities.js';
import { addResources, dominantShare, scalarResources, type ScalarMap } from './resources.js';

export interface Overview {
  total: ScalarMap;
  /** Held by tasks not yet terminal. */
  used: ScalarMap;
  agents: { active: number; inactive: number };
  frameworks: { active: number; inactive: number; completed: number };
  /** Every state with at least one task, in lifecycle order. */
  tasksByState: { state: string; count: number }[];
}

export function isLive(task: TaskRecord): boolean {
  return !TERMINAL_STATES.has(task.state);
}

/** What live tasks hold, by agent id. */
function usedByAgent(model: ClusterModel): Map<string, ScalarMap> {
  const used = new Map<string, ScalarMap>();
  for (const task of model.tasks.values()) {
    if (isLive(task)) used.set(task.agentId, addResources(used.get(task.agentId) ?? {}, task.resources));
  }
  return used;
}

export function overview(model: ClusterModel): Overview {
  let total: ScalarMap = {};
  let used: ScalarMap = {};
  const agents = { active: 0, inactive: 0 };
  for (const agent of model.agents.values()) {
    total = addResources(total, agent.resources);
    if (agent.active) agents.active += 1; else agents.inactive += 1;
  }
  for (const task of model.tasks.values()) if (isLive(task)) used = addResources(used, task.resources);
  const frameworks = { active: 0, inactive: 0, completed: 0 };
  for (const f of model.frameworks.values()) {
    if (f.completed) frameworks.completed += 1; else if (f.active) frameworks.active += 1; else frameworks.inactive += 1;
  }
  const counts = new Map<string, number>();
  for (const task of model.tasks.values()) counts.set(task.state, (counts.get(task.state) ?? 0) + 1);
  const order = [...TASK_STATES, ...[...counts.keys()].filter((s) => !(TASK_STATES as readonly string[]).includes(s)).sort()];
  const tasksByState = order.filter((state) => counts.has(state)).map((state) => ({ state, count: counts.get(state) ?? 0 }));
  return { total, used, agents, frameworks, tasksByState };
}

export interface AgentRow extends AgentRecord {
  used: ScalarMap;
  liveTasks: number;
}

export function agentRows(model: ClusterModel): AgentRow[] {
  const used = usedByAgent(model);
  const live = new Map<string, number>();
  for (const t of model.tasks.values()) if (isLive(t)) live.set(t.agentId, (live.get(t.agentId) ?? 0) + 1);
  return [...model.agents.values()]
    .sort((a, b) => a.hostname.localeCompare(b.hostname) || a.id.localeCompare(b.id))
    .map((agent) => ({ ...agent, used: used.get(agent.id) ?? {}, liveTasks: live.get(agent.id) ?? 0 }));
}

export interface FrameworkRow extends FrameworkRecord {
  used: ScalarMap;
  liveTasks: number;
  finishedTasks: number;
}

/** Live frameworks first, then completed ones; by name within each. */
export function frameworkRows(model: ClusterModel): FrameworkRow[] {
  const rows = new Map<string, FrameworkRow>();
  for (const f of model.frameworks.values()) rows.set(f.id, { ...f, used: {}, liveTasks: 0, finishedTasks: 0 });
  for (const task of model.tasks.values()) {
    const row = rows.get(task.frameworkId);
    if (row === undefined) continue;
    if (isLive(task)) {
      row.liveTasks += 1;
      row.used = addResources(row.used, task.resources);
    } else row.finishedTasks += 1;
  }
  return [...rows.values()].sort((a, b) => Number(a.completed) - Number(b.completed) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

export interface TaskFilter {
  /** One state (`TASK_RUNNING`), `live`, `terminal`, or empty for all. */
  state: string;
  /** Case-insensitive substring of the task's id, name, framework id or agent hostname. */
  text: string;
}

export interface TaskRow extends TaskRecord {
  frameworkName: string;
  agentHostname: string;
}

/** The tasks a filter keeps, the most recently updated first. */
export function taskRows(model: ClusterModel, filter: TaskFilter): TaskRow[] {
  const text = filter.text.trim().toLowerCase();
  const rows: TaskRow[] = [];
  for (const task of model.tasks.values()) {
    if (!stateMatches(task.state, filter.state)) continue;
    const row: TaskRow = {
      ...task,
      frameworkName: model.frameworks.get(task.frameworkId)?.name ?? '',
      agentHostname: model.agents.get(task.agentId)?.hostname ?? '',
    };
    if (text !== '' && ![row.id, row.name, row.frameworkId, row.frameworkName, row.agentHostname].some((s) => s.toLowerCase().includes(text))) continue;
    rows.push(row);
  }
  return rows.sort((a, b) => (b.updatedTime ?? 0) - (a.updatedTime ?? 0) || a.id.localeCompare(b.id));
}

function stateMatches(state: string, wanted: string): boolean {
  if (wanted === '') return true;
  if (wanted === 'live') return !TERMINAL_STATES.has(state);
  if (wanted === 'terminal') return TERMINAL_STATES.has(state);
  return state === wanted;
}

export interface RoleRow {
  name: string;
  weight: number;
  frameworks: number;
  allocated: ScalarMap;
  /** Dominant share of the cluster's total, 0..1, and the resource it is of. */
  share: number;
  shareResource?: string;
  guarantee: ScalarMap;
  limit: ScalarMap;
}

type Json = Record<string, unknown>;

function obj(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Json : {};
}

/**
 * Rows of the roles page from a `/roles` body. A role's allocation is `allocated` when the master
 * sends it, else `resources` (Mesos v0: what the role's frameworks hold). Quota may come as
 * v0 `{guarantee, limit}` maps or v1 `{guarantees, limits}`.
 */
export function roleRows(roles: unknown, total: ScalarMap): RoleRow[] {
  const list = Array.isArray(obj(roles)['roles']) ? obj(roles)['roles'] as unknown[] : [];
  return list.map((entry) => {
    const r = obj(entry);
    const allocated = scalarResources(r['allocated'] ?? r['resources']);
    const quota = obj(r['quota']);
    const { share, resource } = dominantShare(allocated, total);
    const row: RoleRow = {
      name: typeof r['name'] === 'string' ? r['name'] : '',
      weight: typeof r['weight'] === 'number' ? r['weight'] : 1,
      frameworks: Array.isArray(r['frameworks']) ? r['frameworks'].length : 0,
      allocated, share,
      guarantee: scalarResources(quota['guarantee'] ?? quota['guarantees']),
      limit: scalarResources(quota['limit'] ?? quota['limits']),
    };
    if (resource !== undefined) row.shareResource = resource;
    return row;
  }).sort((a, b) => b.share - a.share || a.name.localeCompare(b.name));
}
