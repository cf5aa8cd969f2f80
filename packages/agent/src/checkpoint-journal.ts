import type { ExecutorCheckpoint, FrameworkInfo, JournalRecord, TaskCheckpoint, UpdateRecord } from '@tessera/protocol';

/** A task as checkpointed: what it is, and its stream of updates and acks in order. */
export interface CheckpointedTask {
  task: TaskCheckpoint;
  records: UpdateRecord[];
}

export interface CheckpointedFramework {
  info: FrameworkInfo;
  executors: ExecutorCheckpoint[];
  tasks: CheckpointedTask[];
}

interface LiveFramework {
  info: FrameworkInfo;
  executors: Map<string, ExecutorCheckpoint>;
  tasks: Map<string, CheckpointedTask>;
}

/**
 * What the checkpoint journal says runs on the agent: the journal's records applied in order.
 * The reader replays a journal into it; the writer keeps one beside the file, so that it can
 * replace a grown journal by a snapshot of what is still live (compaction).
 */
export class JournalState {
  private readonly frameworks = new Map<string, LiveFramework>();

  constructor(from: readonly CheckpointedFramework[] = []) {
    for (const fw of from) {
      this.frameworks.set(fw.info.id!.value, {
        info: fw.info,
        executors: new Map(fw.executors.map((e) => [e.info.executor_id.value, e])),
        tasks: new Map(fw.tasks.map((t) => [t.task.info.task_id.value, { task: t.task, records: [...t.records] }])),
      });
    }
  }

  /**
   * Applies one record. Removing what is not there is no change (removals are idempotent);
   * a record about a framework or task the journal never named is an error, returned.
   */
  apply(record: JournalRecord): string | undefined {
    if ('framework' in record) {
      const id = record.framework.id?.value;
      if (id === undefined) return 'a framework without its id';
      const known = this.frameworks.get(id);
      if (known === undefined) this.frameworks.set(id, { info: record.framework, executors: new Map(), tasks: new Map() });
      else known.info = record.framework;
      return undefined;
    }
    if ('framework_removed' in record) {
      this.frameworks.delete(record.framework_removed);
      return undefined;
    }
    const framework = this.frameworks.get(record.framework_id);
    if (framework === undefined) return `framework ${record.framework_id} was never checkpointed`;
    if ('executor' in record) framework.executors.set(record.executor.info.executor_id.value, record.executor);
    else if ('executor_removed' in record) framework.executors.delete(record.executor_removed);
    else if ('task' in record) {
      const id = record.task.info.task_id.value;
      const known = framework.tasks.get(id);
      if (known === undefined) framework.tasks.set(id, { task: record.task, records: [] });
      else known.task = record.task;
    } else if ('task_removed' in record) framework.tasks.delete(record.task_removed);
    else {
      const task = framework.tasks.get(record.task_id);
      if (task === undefined) return `task ${record.task_id} of framework ${record.framework_id} was never checkpointed`;
      task.records.push('update' in record ? { update: record.update } : { ack: record.ack });
    }
    return undefined;
  }

  clear(): void {
    this.frameworks.clear();
  }

  /** The fewest records that rebuild this state, in an order `apply` takes. */
  *snapshot(): Generator<JournalRecord> {
    for (const [id, fw] of this.frameworks) {
      yield { framework: fw.info };
      for (const executor of fw.executors.values()) yield { framework_id: id, executor };
      for (const [taskId, { task, records }] of fw.tasks) {
        yield { framework_id: id, task };
        for (const r of records) yield r.update !== undefined ? { framework_id: id, task_id: taskId, update: r.update } : { framework_id: id, task_id: taskId, ack: r.ack! };
      }
    }
  }

  /** The state as the agent's recovery takes it. */
  frameworksList(): CheckpointedFramework[] {
    return [...this.frameworks.values()].map((fw) => ({ info: fw.info, executors: [...fw.executors.values()], tasks: [...fw.tasks.values()] }));
  }
}
