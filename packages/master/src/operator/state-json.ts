import { randomUUID } from 'node:crypto';
import type { Task } from '@tessera/protocol';
import type { OperatorSources } from './operator-host.js';
import { stateView, taskView } from './operator-views.js';

/**
 * `/state` as JSON text in parts: strings to write as they are, and lists of task JSON to write
 * as arrays (`[a,b,...]`). Joined, the parts are exactly `JSON.stringify(stateView(s))`; apart, a
 * caller can turn 40 MiB of them into bytes a slice at a time. Every part is an immutable string
 * taken at one instant, so the parts are one consistent snapshot however late they are written.
 */
export type StateJsonParts = readonly (string | readonly TaskJson[])[];

/**
 * A task's JSON: kept from an earlier build, or (for a task new or changed since) a function that
 * writes it from the task as it was when the parts were taken. Writing 100,000 tasks for a first
 * /state took seconds; as functions, they are written in the encoder's slices, not in one turn.
 */
export type TaskJson = string | (() => string);

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

function taskJson(task: Task): TaskJson {
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

/** /state's parts: the view without its tasks, written as JSON, and each task list's JSON. */
export function stateJsonParts(s: OperatorSources): StateJsonParts {
  const lists: TaskJson[][] = [];
  const skeleton = JSON.stringify(stateView(s, (tasks) => {
    lists.push(tasks.map(taskJson));
    return marker(lists.length - 1);
  }));
  const parts: (string | TaskJson[])[] = [];
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

/** A task's JSON, written now if it is not yet. */
export function writtenTaskJson(json: TaskJson): string {
  return typeof json === 'string' ? json : json();
}

/** The parts as one string. */
export function joinStateJson(parts: StateJsonParts): string {
  return parts.map((part) => (typeof part === 'string' ? part : `[${part.map(writtenTaskJson).join(',')}]`)).join('');
}
