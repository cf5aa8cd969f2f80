import type { FrameworkInfo, Resource } from '@tessera/protocol';
import { taskView, type ExecutorView, type TaskFacts, type TaskView } from './agent-views.js';

/**
 * What an ended executor run leaves for the views: everything but its tasks (looked up later), its
 * resources as the wire list (mapped only when a view is read, not on the agent's hot path).
 */
export type CompletedExecutor = Omit<ExecutorView, 'tasks' | 'queued_tasks' | 'completed_tasks' | 'resources'> & { resources: readonly Resource[] };

/** An ended task as it was when the agent forgot it; its view is built when read. */
interface CompletedTask {
  facts: TaskFacts;
  agentId: string;
}

interface FrameworkHistory {
  info: FrameworkInfo;
  executors: CompletedExecutor[];
  /** Completed tasks by executor id, newest last. */
  tasks: Map<string, CompletedTask[]>;
}

/** How much history an agent keeps (Mesos's --max_completed_executors_per_framework and friends). */
export interface HistoryLimits {
  frameworks: number;
  executorsPerFramework: number;
  tasksPerExecutor: number;
}

export const DEFAULT_HISTORY_LIMITS: HistoryLimits = { frameworks: 50, executorsPerFramework: 150, tasksPerExecutor: 200 };

/**
 * The agent forgets a task once its terminal update is acknowledged and an executor run once it
 * ended, but an operator still wants to find their sandboxes (a finished task's stdout): this
 * keeps bounded lists of what ended, oldest dropped first, as Mesos's circular buffers do.
 */
export class CompletedHistory {
  private readonly frameworks = new Map<string, FrameworkHistory>();

  constructor(private readonly limits: HistoryLimits = DEFAULT_HISTORY_LIMITS) {}

  /** A framework was seen (its info kept for the views after it goes). */
  framework(info: FrameworkInfo): void {
    const id = info.id?.value;
    if (id === undefined) return;
    const known = this.frameworks.get(id);
    if (known !== undefined) {
      known.info = info;
      return;
    }
    this.frameworks.set(id, { info, executors: [], tasks: new Map() });
    if (this.frameworks.size > this.limits.frameworks) this.frameworks.delete(this.frameworks.keys().next().value!);
  }

  taskDone(info: FrameworkInfo | undefined, task: TaskFacts, agentId: string): void {
    const history = this.recordOf(task.frameworkId, info);
    if (history === undefined) return;
    const list = history.tasks.get(task.executorId) ?? [];
    // A copy of the few fields the view reads: the agent's record is dropped right after.
    list.push({ facts: { info: task.info, frameworkId: task.frameworkId, executorId: task.executorId, state: task.state, latest: task.latest }, agentId });
    if (list.length > this.limits.tasksPerExecutor) list.shift();
    history.tasks.set(task.executorId, list);
  }

  executorDone(frameworkId: string, info: FrameworkInfo | undefined, executor: CompletedExecutor): void {
    const history = this.recordOf(frameworkId, info);
    if (history === undefined) return;
    history.executors.push(executor);
    if (history.executors.length > this.limits.executorsPerFramework) {
      const dropped = history.executors.shift()!;
      // Its tasks go with it, unless a later run of the same executor id still shows them.
      if (!history.executors.some((e) => e.id === dropped.id)) history.tasks.delete(dropped.id);
    }
  }

  completedTasks(frameworkId: string, executorId: string): TaskView[] {
    return (this.frameworks.get(frameworkId)?.tasks.get(executorId) ?? []).map(({ facts, agentId }) => taskView(facts, agentId));
  }

  completedExecutors(frameworkId: string): CompletedExecutor[] {
    return this.frameworks.get(frameworkId)?.executors ?? [];
  }

  /** Every framework with history, newest last. */
  frameworkInfos(): FrameworkInfo[] {
    return [...this.frameworks.values()].map((f) => f.info);
  }

  private recordOf(frameworkId: string, info: FrameworkInfo | undefined): FrameworkHistory | undefined {
    if (!this.frameworks.has(frameworkId) && info !== undefined) this.framework(info);
    return this.frameworks.get(frameworkId);
  }
}
