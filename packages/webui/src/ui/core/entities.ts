/**
 * The UI's own records of agents, frameworks and tasks, and the readers that make them from the
 * master's two JSON forms: v0 views (`/state`: flat ids, resource maps) and v1 operator messages
 * (SUBSCRIBE events: `{value}` ids, Resource arrays). Readers tolerate missing fields, since a
 * view that shows a dash beats a page that breaks.
 */
import { scalarResources, type ScalarMap } from './resources.js';

export interface AgentRecord {
  id: string;
  hostname: string;
  /** The agent's HTTP port, where the UI reads sandbox files. */
  port?: number;
  pid?: string;
  active: boolean;
  resources: ScalarMap;
  /** Seconds since the epoch. */
  registeredTime?: number;
}

export interface FrameworkRecord {
  id: string;
  name: string;
  user: string;
  roles: string[];
  active: boolean;
  connected: boolean;
  /** Torn down or finished: kept for the completed list. */
  completed: boolean;
  registeredTime?: number;
}

export interface TaskRecord {
  id: string;
  name: string;
  frameworkId: string;
  agentId: string;
  executorId: string;
  state: string;
  resources: ScalarMap;
  /** Seconds since the epoch of the latest status. */
  updatedTime?: number;
}

/** States after which a task holds no resources (Mesos's `protobuf::isTerminalState`). */
export const TERMINAL_STATES: ReadonlySet<string> = new Set([
  'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR',
]);

/** Every task state in lifecycle order, for the state filter. */
export const TASK_STATES = [
  'TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR',
  'TASK_LOST', 'TASK_DROPPED', 'TASK_UNREACHABLE', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN',
] as const;

export function taskKey(frameworkId: string, taskId: string): string {
  return `${frameworkId}/${taskId}`;
}

type Json = Record<string, unknown>;

function obj(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Json : {};
}

function str(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

/** A v1 id `{value: "x"}` or a v0 plain string. */
export function idOf(value: unknown): string {
  return typeof value === 'string' ? value : str(obj(value)['value']);
}

/** Seconds since the epoch from a v0 number (seconds) or a v1 TimeInfo `{nanoseconds}`. */
export function secondsOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  const nanos = obj(value)['nanoseconds'];
  if (typeof nanos === 'number') return nanos / 1e9;
  if (typeof nanos === 'string' && /^[0-9]+$/.test(nanos)) return Number(nanos) / 1e9;
  return undefined;
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function withOptional<T extends object>(record: T, optional: Record<string, unknown>): T {
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (record as Record<string, unknown>)[k] = v;
  return record;
}

/** One `slaves[]` entry of v0 `/state`. */
export function agentFromV0(slave: unknown): AgentRecord {
  const s = obj(slave);
  return withOptional({ id: str(s['id']), hostname: str(s['hostname']), active: s['active'] !== false, resources: scalarResources(s['resources']) },
    { port: numberOrUndefined(s['port']), pid: typeof s['pid'] === 'string' ? s['pid'] : undefined, registeredTime: secondsOf(s['registered_time']) });
}

/** A v1 `GetAgents.Agent` (AGENT_ADDED, get_state.get_agents.agents[]). */
export function agentFromV1(agent: unknown): AgentRecord {
  const a = obj(agent);
  const info = obj(a['agent_info']);
  const total = a['total_resources'] ?? info['resources'];
  return withOptional({ id: idOf(info['id']), hostname: str(info['hostname']), active: a['active'] !== false, resources: scalarResources(total) },
    { port: numberOrUndefined(info['port']), pid: typeof a['pid'] === 'string' ? a['pid'] : undefined, registeredTime: secondsOf(a['registered_time']) });
}

function rolesOf(info: Json): string[] {
  const roles = Array.isArray(info['roles']) ? (info['roles'] as unknown[]).filter((r): r is string => typeof r === 'string') : [];
  if (roles.length > 0) return roles;
  return typeof info['role'] === 'string' ? [info['role']] : [];
}

/** One `frameworks[]` (or `completed_frameworks[]`) entry of v0 `/state`. */
export function frameworkFromV0(framework: unknown, completed: boolean): FrameworkRecord {
  const f = obj(framework);
  return withOptional({
    id: str(f['id']), name: str(f['name']), user: str(f['user']), roles: rolesOf(f),
    active: !completed && f['active'] !== false, connected: !completed && f['connected'] !== false, completed,
  }, { registeredTime: secondsOf(f['registered_time']) });
}

/** A v1 `GetFrameworks.Framework` (FRAMEWORK_ADDED/UPDATED, get_state.get_frameworks). */
export function frameworkFromV1(framework: unknown, completed: boolean): FrameworkRecord {
  const f = obj(framework);
  const info = obj(f['framework_info']);
  return withOptional({
    id: idOf(info['id']), name: str(info['name']), user: str(info['user']), roles: rolesOf(info),
    active: !completed && f['active'] !== false, connected: !completed && f['connected'] !== false, completed,
  }, { registeredTime: secondsOf(f['registered_time']) });
}

function latestStatusTime(statuses: unknown): number | undefined {
  if (!Array.isArray(statuses) || statuses.length === 0) return undefined;
  return numberOrUndefined(obj(statuses[statuses.length - 1])['timestamp']);
}

/** One task of v0 `/state` (`frameworks[].tasks[]` or `completed_tasks[]`). */
export function taskFromV0(task: unknown): TaskRecord {
  const t = obj(task);
  const id = str(t['id']);
  return withOptional({
    id, name: str(t['name']), frameworkId: str(t['framework_id']), agentId: str(t['slave_id']),
    executorId: str(t['executor_id']) || id, state: str(t['state'], 'TASK_UNKNOWN'), resources: scalarResources(t['resources']),
  }, { updatedTime: latestStatusTime(t['statuses']) });
}

/** A v1 `Task` (TASK_ADDED, get_state.get_tasks). A command task has no executor id: its executor is named after it. */
export function taskFromV1(task: unknown): TaskRecord {
  const t = obj(task);
  const id = idOf(t['task_id']);
  return withOptional({
    id, name: str(t['name']), frameworkId: idOf(t['framework_id']), agentId: idOf(t['agent_id']),
    executorId: idOf(t['executor_id']) || id, state: str(t['state'], 'TASK_UNKNOWN'), resources: scalarResources(t['resources']),
  }, { updatedTime: latestStatusTime(t['statuses']) });
}
