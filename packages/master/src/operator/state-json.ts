import { randomUUID } from 'node:crypto';
import type { ExecutorInfo, Task } from '@tessera/protocol';
import type { AgentRecord, FrameworkRecord } from '../master-state.js';
import type { OperatorSources } from './operator-host.js';
import { agentInputs, agentView, stateView, tasksOf, taskView, type TaskList } from './operator-views.js';

/**
 * `/state` as JSON text in parts: strings to write as they are, bytes written before (a
 * framework's task list unchanged since), and lists of items' JSON (tasks, agents) to write as
 * arrays (`[a,b,...]`). Joined, the parts are exactly `JSON.stringify(stateView(s))`; apart, a
 * caller can turn 40 MiB of them into bytes a slice at a time. Every part is immutable, taken at
 * one instant (or a task as it was then), so the parts are one consistent snapshot however late
 * they are written.
 */
export type StateJsonParts = readonly (string | Buffer | ListPart)[];

/**
 * A list to write as a JSON array. `keep`, when given, takes the array's UTF-8 bytes once written
 * (the whole list, `[` to `]`), so that the next /state can send them again while the list is
 * unchanged.
 */
export interface ListPart {
  items: readonly ItemJson[];
  keep?: (bytes: Buffer) => void;
}

/**
 * An item's JSON: kept from an earlier build, or (for a task new or changed since) a function that
 * writes it from the task as it was when the parts were taken. Writing 100,000 tasks for a first
 * /state took seconds; as functions, they are written in the encoder's slices, not in one turn.
 */
export type ItemJson = string | (() => string);

interface TaskFragment {
  state: Task['state'];
  statuses: Task['statuses'];
  json: string;
}

/**
 * Each task's JSON, written once and kept until the task changes. A task changes only through
 * MasterState.updateTask, which sets its state and replaces (never edits) its statuses list: the
 * two compared by identity say whether the JSON still holds. A task gone is forgotten with it.
 */
const fragments = new WeakMap<Task, TaskFragment>();

/**
 * Stands in for a task list in the skeleton. Searched for with its quotes, it can be confused only
 * with a string that ends in it, and no one outside this process knows it (not a decision, so not
 * the runtime's seeded random).
 */
const MARKER_SECRET = randomUUID();
const marker = (i: number): string => `\u0000${MARKER_SECRET}:${i}`;

function taskJson(task: Task): ItemJson {
  const kept = fragments.get(task);
  if (kept !== undefined && kept.state === task.state && kept.statuses === task.statuses) return kept.json;
  // The fields that change are replaced, never edited: a shallow copy is the task as of now.
  const asNow: Task = { ...task };
  return () => {
    const json = JSON.stringify(taskView(asNow));
    fragments.set(task, { state: asNow.state, statuses: asNow.statuses, json });
    return json;
  };
}

interface AgentFragment {
  inputs: unknown[];
  json: string;
}

/**
 * Each agent's JSON, kept while what its view reads (agentInputs) stays the same: 10,000 agents'
 * views, rebuilt for every /state, were most of the master's turn (their resources summed and
 * mapped five ways each).
 */
const agentFragments = new WeakMap<AgentRecord, AgentFragment>();

/** True when `a` and `b` hold the very same values (by identity) in the same order. */
function identicalLists(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function agentJson(s: OperatorSources, agent: AgentRecord, executors: readonly ExecutorInfo[], scratch: unknown[]): string {
  const inputs = agentInputs(s, agent, executors, scratch);
  const kept = agentFragments.get(agent);
  if (kept !== undefined && identicalLists(kept.inputs, inputs)) return kept.json;
  const json = JSON.stringify(agentView(s, agent));
  agentFragments.set(agent, { inputs: [...inputs], json });
  return json;
}

/**
 * The agent list as last written, per master: while every agent's JSON is the very string it was
 * (so nothing any agent's view reads changed) and in the same order, its bytes are sent again
 * instead of 10,000 strings encoded anew each /state.
 */
const keptAgentLists = new WeakMap<OperatorSources['state'], { items: readonly string[]; bytes: Buffer }>();

function agentListPart(s: OperatorSources, agents: readonly AgentRecord[]): Buffer | ListPart {
  const executors = executorsByAgent(s);
  const scratch: unknown[] = [];
  const items = agents.map((agent) => agentJson(s, agent, executors.get(agent.id) ?? [], scratch));
  const kept = keptAgentLists.get(s.state);
  if (kept !== undefined && identicalLists(kept.items, items)) return kept.bytes;
  return { items, keep: (bytes) => keptAgentLists.set(s.state, { items, bytes }) };
}

/** Every agent's executors, found in one pass over the frameworks (not one per agent). */
function executorsByAgent(s: OperatorSources): Map<string, ExecutorInfo[]> {
  const byAgent = new Map<string, ExecutorInfo[]>();
  for (const framework of s.state.frameworks.values()) {
    for (const [agentId, executors] of framework.executors) {
      let list = byAgent.get(agentId);
      if (list === undefined) byAgent.set(agentId, list = []);
      for (const executor of executors.values()) list.push(executor);
    }
  }
  return byAgent;
}

type KeptTaskLists = { version: number } & Partial<Record<TaskList, Buffer>>;

/**
 * Each framework's task lists as written, while its tasksVersion stays what it was: at 100,000
 * tasks of frameworks that launch nothing new, /state looked up and sent 100,000 kept task JSONs
 * a build (and copied 40 MiB into fresh buffers), when the same bytes would do.
 */
const keptTaskLists = new WeakMap<FrameworkRecord, KeptTaskLists>();

function taskListPart(framework: FrameworkRecord, list: TaskList): Buffer | ListPart {
  const version = framework.tasksVersion;
  const kept = keptTaskLists.get(framework);
  const bytes = kept?.version === version ? kept[list] : undefined;
  if (bytes !== undefined) return bytes;
  return {
    items: tasksOf(framework, list).map(taskJson),
    keep: (written) => {
      const entry = keptTaskLists.get(framework);
      if (entry?.version === version) entry[list] = written;
      else if (entry === undefined || entry.version < version) keptTaskLists.set(framework, { version, [list]: written });
    },
  };
}

/** /state's parts: the view without its tasks and agents, written as JSON, and their lists. */
export function stateJsonParts(s: OperatorSources): StateJsonParts {
  const lists: (Buffer | ListPart)[] = [];
  const standIn = (list: Buffer | ListPart): string => {
    lists.push(list);
    return marker(lists.length - 1);
  };
  const skeleton = JSON.stringify(stateView(s, (framework, list) => standIn(taskListPart(framework, list)), (agents) => standIn(agentListPart(s, agents))));
  const parts: (string | Buffer | ListPart)[] = [];
  let from = 0;
  for (let i = 0; i < lists.length; i++) {
    const written = JSON.stringify(marker(i));
    const at = skeleton.indexOf(written, from);
    parts.push(skeleton.slice(from, at), lists[i]!);
    from = at + written.length;
  }
  parts.push(skeleton.slice(from));
  return parts;
}

/** An item's JSON, written now if it is not yet. */
export function writtenJson(json: ItemJson): string {
  return typeof json === 'string' ? json : json();
}

/** The parts as one string. */
export function joinStateJson(parts: StateJsonParts): string {
  return parts.map((part) => {
    if (typeof part === 'string') return part;
    if (Buffer.isBuffer(part)) return part.toString('utf8');
    return `[${part.items.map(writtenJson).join(',')}]`;
  }).join('');
}
