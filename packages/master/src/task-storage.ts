import { Resources, type Id, type Resource, type Task, type TaskStatus } from '@tessera/protocol';

/** Distinct resource lists kept for sharing; past this many, new ones are kept as they come. */
const MAX_SHARED_RESOURCE_LISTS = 4_096;
/** Distinct short strings kept for sharing (states, sources, reasons, roles). */
const MAX_SHARED_STRINGS = 4_096;
/** Strings longer than this are never pooled (messages, data). */
const MAX_POOLED_LENGTH = 64;

/**
 * A string that holds nothing else alive. Strings decoded from a message are often slices of the
 * whole decoded frame (msgpackr's native string extraction), so one id kept for an hour keeps the
 * frame's every byte; a copy holds only its own.
 */
export function detached(text: string): string {
  // Below 13 characters V8 copies substrings instead of slicing them: nothing to detach.
  return text.length < 13 ? text : Buffer.from(text, 'utf8').toString('utf8');
}

/**
 * What the master keeps of its tasks, shared where tasks repeat one another: at 100,000 tasks
 * the same resource lists, states, sources and ids were held once per task and per status (issue
 * 9: a task cost the master ~11 KiB). Everything kept is equal, field for field, to what came in;
 * what is shared is never changed in place (a task's statuses are replaced, not pushed to).
 */
export class TaskStorage {
  private readonly resourceLists = new Map<string, Resource[]>();
  private readonly strings = new Map<string, string>();
  /** The list returned last: tasks come in runs asking the same, and comparing is cheaper than a key. */
  private lastResources: Resource[] | undefined;

  /** An equal resource list, the same object for every task that asks for the same resources. */
  resources(resources: Resource[]): Resource[] {
    if (this.lastResources !== undefined && jsonEqual(resources, this.lastResources)) return this.lastResources;
    this.lastResources = this.keptResources(resources);
    return this.lastResources;
  }

  private keptResources(resources: Resource[]): Resource[] {
    const key = JSON.stringify(resources);
    const known = this.resourceLists.get(key);
    if (known !== undefined) return known;
    const kept = JSON.parse(key) as Resource[];
    if (this.resourceLists.size < MAX_SHARED_RESOURCE_LISTS) this.resourceLists.set(key, kept);
    return kept;
  }

  /** An equal string, shared when it is short and seen before (a state, a reason), else detached. */
  text(text: string): string {
    if (text.length > MAX_POOLED_LENGTH) return detached(text);
    const known = this.strings.get(text);
    if (known !== undefined) return known;
    const kept = detached(text);
    if (this.strings.size < MAX_SHARED_STRINGS) this.strings.set(kept, kept);
    return kept;
  }

  /** An id of its own (not a slice of the message it came in). */
  id(id: Id): Id {
    return { value: detached(id.value) };
  }

  /**
   * The status as the task keeps it: equal to `status`, its ids the task's own objects when they
   * name the same thing, its strings shared or detached.
   */
  status(task: Task, status: TaskStatus): TaskStatus {
    const kept: TaskStatus = { ...status };
    kept.task_id = status.task_id.value === task.task_id.value ? task.task_id : this.id(status.task_id);
    if (status.agent_id !== undefined) kept.agent_id = status.agent_id.value === task.agent_id.value ? task.agent_id : this.id(status.agent_id);
    if (status.executor_id !== undefined) {
      kept.executor_id = status.executor_id.value === task.executor_id?.value ? task.executor_id : this.id(status.executor_id);
    }
    kept.state = this.text(status.state) as TaskStatus['state'];
    if (status.source !== undefined) kept.source = this.text(status.source) as TaskStatus['source'];
    if (status.reason !== undefined) kept.reason = this.text(status.reason);
    if (status.message !== undefined) kept.message = this.text(status.message);
    if (status.uuid !== undefined) kept.uuid = detached(status.uuid);
    if (status.data !== undefined) kept.data = detached(status.data);
    return kept;
  }
}

/** True when `a` and `b` are equal plain data (as decoded from a message); undefined members count as absent. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let members = 0;
  for (const key in left) {
    const value = left[key];
    if (value === undefined) continue;
    members++;
    if (!jsonEqual(value, right[key])) return false;
  }
  for (const key in right) if (right[key] !== undefined) members--;
  return members === 0;
}

const parsedLists = new WeakMap<readonly Resource[], Resources>();

/**
 * A task's resources as Resources, parsed once per list: lists are shared among tasks asking the
 * same, so a /state over 100,000 tasks parses a handful, not 100,000 (each parse ~5 µs).
 */
export function taskResources(task: Pick<Task, 'resources'>): Resources {
  let parsed = parsedLists.get(task.resources);
  if (parsed === undefined) parsedLists.set(task.resources, (parsed = Resources.of(task.resources)));
  return parsed;
}

/**
 * The sum of the tasks' resources. Tasks share their lists, so the sum is taken list by list:
 * a list held by n tasks is added to itself by doubling (log n additions, not n), which is
 * the same sum since adding resources is associative and commutative (scalars in exact
 * thousandths, ranges and sets by union).
 */
export function sumOfTaskResources(tasks: Iterable<Pick<Task, 'resources'>>): Resources {
  const counts = new Map<readonly Resource[], number>();
  for (const task of tasks) counts.set(task.resources, (counts.get(task.resources) ?? 0) + 1);
  let sum = Resources.EMPTY;
  for (const [list, count] of counts) {
    let power = taskResources({ resources: list as Resource[] });
    for (let n = count; n > 0; n >>= 1) {
      if ((n & 1) === 1) sum = sum.add(power);
      if (n > 1) power = power.add(power);
    }
  }
  return sum;
}
