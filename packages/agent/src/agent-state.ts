import {
  TERMINAL_TASK_STATES,
  type ExecutorInfo,
  type FrameworkInfo,
  type Messages,
  type Task,
  type TaskInfo,
  type TaskState,
  type TaskStatus,
} from '@tessera/protocol';

/**
 * How an executor runs: `command` is generated for one command task and `default` runs a task
 * group (both live in the framework's executor host); `custom` is the framework's own program,
 * an OS process of its own.
 */
export type ExecutorKind = 'command' | 'default' | 'custom';

/** launching: started, not subscribed; running: subscribed; terminating: told to shut down. */
export type ExecutorPhase = 'launching' | 'running' | 'terminating';

/** One LAUNCH or LAUNCH_GROUP for an executor. */
export type Launch = { kind: 'task'; task: TaskInfo } | { kind: 'group'; tasks: TaskInfo[] };

/** One run of an executor (Mesos: one container): its sandbox, its pid, its queued launches. */
export interface ExecutorRun {
  readonly frameworkId: string;
  readonly executorId: string;
  readonly info: ExecutorInfo;
  readonly kind: ExecutorKind;
  readonly runId: string;
  readonly directory: string;
  phase: ExecutorPhase;
  /** The executor's actor, once known (from `executor.Spawned` or its SUBSCRIBE). */
  pid: string | undefined;
  /** Launches waiting for the executor to subscribe, in arrival order. */
  readonly queue: Launch[];
  /** The tasks given to this run that the agent still tracks. */
  readonly taskIds: Set<string>;
}

/** A task the agent tracks, from RunTask until its terminal update is acknowledged. */
export interface TaskRecord {
  readonly frameworkId: string;
  readonly executorId: string;
  /** A `command` executor's id is the agent's invention, unknown to the master. */
  readonly executorKind: ExecutorKind;
  readonly info: TaskInfo;
  /** The state of the newest update received (STAGING before any). */
  state: TaskState;
  /** In its executor's queue, not yet sent to it. */
  queued: boolean;
  latest: TaskStatus | undefined;
  /** Every update uuid received, to drop the duplicates an executor resends. */
  readonly uuids: Set<string>;
}

interface FrameworkRecord {
  info: FrameworkInfo;
  readonly executors: Map<string, ExecutorRun>;
  readonly tasks: Map<string, TaskRecord>;
  /** ShutdownFramework arrived: launch nothing more, forget it once its executors are gone. */
  shuttingDown: boolean;
}

/** The answer to a status update: recorded, already seen, or refused. */
export type UpdateVerdict = { kind: 'new'; task: TaskRecord } | { kind: 'duplicate'; task: TaskRecord } | { kind: 'refused'; error: string };

/**
 * The agent's bookkeeping of frameworks, executor runs and tasks, without I/O, timers or
 * messages: the actor asks it what is where and tells it what happened.
 */
export class AgentState {
  private readonly frameworks = new Map<string, FrameworkRecord>();

  /** Adds a framework or refreshes its info (it must carry an id). */
  upsertFramework(info: FrameworkInfo): void {
    const id = info.id?.value;
    if (id === undefined) throw new Error(`framework '${info.name}' has no id`);
    const known = this.frameworks.get(id);
    if (known === undefined) this.frameworks.set(id, { info, executors: new Map(), tasks: new Map(), shuttingDown: false });
    else known.info = info;
  }

  frameworkInfo(frameworkId: string): FrameworkInfo | undefined {
    return this.frameworks.get(frameworkId)?.info;
  }

  isShuttingDown(frameworkId: string): boolean {
    return this.frameworks.get(frameworkId)?.shuttingDown ?? false;
  }

  /** Marks a framework as going away; returns its live executor runs. */
  shutDownFramework(frameworkId: string): ExecutorRun[] {
    const framework = this.frameworks.get(frameworkId);
    if (framework === undefined) return [];
    framework.shuttingDown = true;
    return [...framework.executors.values()];
  }

  executor(frameworkId: string, executorId: string): ExecutorRun | undefined {
    return this.frameworks.get(frameworkId)?.executors.get(executorId);
  }

  /** The ids of the frameworks with something on this agent. */
  frameworkIds(): string[] {
    return [...this.frameworks.keys()];
  }

  /** Every task the agent tracks for a framework (terminal ones until their ack). */
  tasks(frameworkId: string): TaskRecord[] {
    return [...(this.frameworks.get(frameworkId)?.tasks.values() ?? [])];
  }

  /** Every live executor run. */
  runs(): ExecutorRun[] {
    return [...this.frameworks.values()].flatMap((f) => [...f.executors.values()]);
  }

  /** Starts tracking a new run of an executor. @throws when one already runs or the framework is unknown. */
  addExecutor(run: Omit<ExecutorRun, 'phase' | 'pid' | 'queue' | 'taskIds'>): ExecutorRun {
    const framework = this.frameworks.get(run.frameworkId);
    if (framework === undefined) throw new Error(`unknown framework ${run.frameworkId}`);
    if (framework.executors.has(run.executorId)) throw new Error(`executor ${run.executorId} already runs`);
    const added: ExecutorRun = { ...run, phase: 'launching', pid: undefined, queue: [], taskIds: new Set() };
    framework.executors.set(run.executorId, added);
    return added;
  }

  /** A run recovered from a checkpoint: launching until its executor subscribes again. */
  restoreExecutor(run: Omit<ExecutorRun, 'phase' | 'pid' | 'queue' | 'taskIds'>, pid: string | undefined): ExecutorRun {
    const added = this.addExecutor(run);
    added.pid = pid;
    return added;
  }

  /**
   * A task recovered from a checkpoint, in STAGING until its updates are replayed through
   * recordUpdate; in its executor's run when that run is still here.
   */
  restoreTask(frameworkId: string, executorId: string, executorKind: ExecutorKind, info: TaskInfo): TaskRecord {
    const framework = this.frameworks.get(frameworkId);
    if (framework === undefined) throw new Error(`unknown framework ${frameworkId}`);
    const record: TaskRecord = { frameworkId, executorId, executorKind, info, state: 'TASK_STAGING', queued: false, latest: undefined, uuids: new Set() };
    framework.tasks.set(info.task_id.value, record);
    framework.executors.get(executorId)?.taskIds.add(info.task_id.value);
    return record;
  }

  /**
   * Gives a launch to an executor run: queued until it subscribes, or to be sent now ('send')
   * when it runs. Its tasks start in TASK_STAGING.
   * @throws when a task id is already tracked in the framework.
   */
  addLaunch(run: ExecutorRun, launch: Launch): 'queued' | 'send' {
    const framework = this.frameworks.get(run.frameworkId)!;
    const tasks = launch.kind === 'task' ? [launch.task] : launch.tasks;
    for (const task of tasks) {
      if (framework.tasks.has(task.task_id.value)) throw new Error(`task ${task.task_id.value} is already known`);
    }
    const queued = run.phase !== 'running';
    for (const task of tasks) {
      framework.tasks.set(task.task_id.value, {
        frameworkId: run.frameworkId, executorId: run.executorId, executorKind: run.kind, info: task, state: 'TASK_STAGING', queued, latest: undefined, uuids: new Set(),
      });
      run.taskIds.add(task.task_id.value);
    }
    if (queued) run.queue.push(launch);
    return queued ? 'queued' : 'send';
  }

  /** The executor subscribed from `pid`: it runs, and its queued launches go out now. */
  subscribed(run: ExecutorRun, pid: string): Launch[] {
    run.pid = pid;
    if (run.phase === 'launching') run.phase = 'running';
    const launches = run.queue.splice(0);
    const tasks = this.frameworks.get(run.frameworkId)!.tasks;
    for (const launch of launches) {
      for (const task of launch.kind === 'task' ? [launch.task] : launch.tasks) {
        const record = tasks.get(task.task_id.value);
        if (record !== undefined) record.queued = false;
      }
    }
    return launches;
  }

  task(frameworkId: string, taskId: string): TaskRecord | undefined {
    return this.frameworks.get(frameworkId)?.tasks.get(taskId);
  }

  /**
   * Takes a status update of a tracked task (it must carry a uuid): a new one moves the task to
   * its state; one whose uuid was seen is a duplicate; one for a task already terminal, or
   * unknown, is refused.
   */
  recordUpdate(frameworkId: string, status: TaskStatus): UpdateVerdict {
    const task = this.task(frameworkId, status.task_id.value);
    if (task === undefined) return { kind: 'refused', error: `unknown task ${status.task_id.value} of framework ${frameworkId}` };
    if (status.uuid === undefined) return { kind: 'refused', error: `an update of task ${status.task_id.value} has no uuid` };
    if (task.uuids.has(status.uuid)) return { kind: 'duplicate', task };
    if (TERMINAL_TASK_STATES.has(task.state)) {
      return { kind: 'refused', error: `task ${status.task_id.value} is already ${task.state}; ${status.state} comes too late` };
    }
    task.uuids.add(status.uuid);
    task.state = status.state;
    task.latest = status;
    return { kind: 'new', task };
  }

  /**
   * Takes a queued task out of its executor's queue, with the rest of its launch (a task group
   * goes as a whole). Returns the tasks removed; empty when the task is not queued.
   */
  dequeue(frameworkId: string, taskId: string): TaskInfo[] {
    const task = this.task(frameworkId, taskId);
    if (task === undefined || !task.queued) return [];
    const run = this.executor(frameworkId, task.executorId);
    if (run === undefined) return [];
    const at = run.queue.findIndex((l) => (l.kind === 'task' ? [l.task] : l.tasks).some((t) => t.task_id.value === taskId));
    if (at < 0) return [];
    const [launch] = run.queue.splice(at, 1);
    const tasks = launch!.kind === 'task' ? [launch!.task] : launch!.tasks;
    for (const t of tasks) {
      const record = this.task(frameworkId, t.task_id.value);
      if (record !== undefined) record.queued = false;
    }
    return tasks;
  }

  /** Tasks of a run that are not terminal yet (queued ones included). */
  liveTasks(run: ExecutorRun): TaskRecord[] {
    const tasks = this.frameworks.get(run.frameworkId)?.tasks;
    if (tasks === undefined) return [];
    return [...run.taskIds].map((id) => tasks.get(id)).filter((t): t is TaskRecord => t !== undefined && !TERMINAL_TASK_STATES.has(t.state));
  }

  /** The run ended: forgets it; returns its tasks that are not terminal yet (for the caller to fail). */
  removeExecutor(run: ExecutorRun): TaskRecord[] {
    const framework = this.frameworks.get(run.frameworkId);
    if (framework === undefined || framework.executors.get(run.executorId) !== run) return [];
    const live = this.liveTasks(run);
    run.queue.splice(0);
    framework.executors.delete(run.executorId);
    return live;
  }

  /** A task's terminal update was acknowledged (or its framework is gone): forgets it. */
  removeTask(frameworkId: string, taskId: string): void {
    const framework = this.frameworks.get(frameworkId);
    const task = framework?.tasks.get(taskId);
    if (framework === undefined || task === undefined) return;
    framework.tasks.delete(taskId);
    const run = framework.executors.get(task.executorId);
    run?.taskIds.delete(taskId);
  }

  /** True when a framework has no executor and no task here (or is unknown). */
  isIdle(frameworkId: string): boolean {
    const framework = this.frameworks.get(frameworkId);
    return framework === undefined || (framework.executors.size === 0 && framework.tasks.size === 0);
  }

  /** Forgets a framework that has no executor and no task left; true when it did. */
  removeFrameworkIfIdle(frameworkId: string): boolean {
    const framework = this.frameworks.get(frameworkId);
    if (framework === undefined || framework.executors.size > 0 || framework.tasks.size > 0) return false;
    this.frameworks.delete(frameworkId);
    return true;
  }

  /** Forgets a framework, tasks and all, once it has no executor left; true when it did. */
  removeFrameworkIfNoExecutors(frameworkId: string): boolean {
    const framework = this.frameworks.get(frameworkId);
    if (framework === undefined || framework.executors.size > 0) return false;
    this.frameworks.delete(frameworkId);
    return true;
  }

  /**
   * What `agent.Reregister` carries: frameworks with something here, executors the master knows
   * of (not the command executors the agent made up, as in Mesos), and every tracked task with
   * the update the master is waiting to see acknowledged.
   */
  reregistration(agentId: string, head: (frameworkId: string, taskId: string) => TaskStatus | undefined):
    Pick<Messages['agent.Reregister'], 'frameworks' | 'executors' | 'tasks'> {
    const out: Pick<Messages['agent.Reregister'], 'frameworks' | 'executors' | 'tasks'> = { frameworks: [], executors: [], tasks: [] };
    for (const [frameworkId, framework] of this.frameworks) {
      out.frameworks.push(framework.info);
      for (const run of framework.executors.values()) {
        if (run.kind !== 'command') out.executors.push({ framework_id: { value: frameworkId }, executor_info: run.info });
      }
      for (const task of framework.tasks.values()) out.tasks.push(toTask(agentId, task, head(frameworkId, task.info.task_id.value)));
    }
    return out;
  }
}

function toTask(agentId: string, record: TaskRecord, unacked: TaskStatus | undefined): Task {
  const { info } = record;
  const task: Task = {
    name: info.name,
    task_id: info.task_id,
    framework_id: { value: record.frameworkId },
    agent_id: { value: agentId },
    state: record.state,
    resources: info.resources,
  };
  // A command task's executor is the agent's invention: the master never saw its id.
  if (record.executorKind !== 'command') task.executor_id = { value: record.executorId };
  if (record.latest !== undefined) task.statuses = [record.latest];
  if (unacked !== undefined) {
    task.status_update_state = unacked.state;
    if (unacked.uuid !== undefined) task.status_update_uuid = unacked.uuid;
  }
  if (info.labels !== undefined) task.labels = info.labels;
  if (info.kill_policy !== undefined) task.kill_policy = info.kill_policy;
  return task;
}
