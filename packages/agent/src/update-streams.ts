import type { TaskStatus } from '@tessera/protocol';
import { StatusUpdateManager } from './status-update-manager.js';

/** A status update with the framework it is for. */
export interface FrameworkUpdate {
  frameworkId: string;
  status: TaskStatus;
}

/**
 * The status update streams of every framework on the agent: one StatusUpdateManager each,
 * because task ids are unique only within a framework. Pure, like the managers.
 */
export class UpdateStreams {
  private readonly managers = new Map<string, StatusUpdateManager>();

  constructor(private readonly retryMinMs?: number, private readonly retryMaxMs?: number) {}

  /**
   * Queues an update (it must carry a uuid); returns it when it goes out now.
   * @throws as StatusUpdateManager.update (closed stream, no uuid).
   */
  update(frameworkId: string, status: TaskStatus, now: number): TaskStatus | undefined {
    let manager = this.managers.get(frameworkId);
    if (manager === undefined) {
      manager = new StatusUpdateManager(this.retryMinMs, this.retryMaxMs);
      this.managers.set(frameworkId, manager);
    }
    return manager.update(status, now);
  }

  /**
   * The framework acknowledged `uuid`: returns the update it acknowledged and the task's next
   * one to send, or why the ack changes nothing.
   */
  acknowledge(frameworkId: string, taskId: string, uuid: string, now: number):
    | { ok: true; acked: TaskStatus; next: TaskStatus | undefined; drained: boolean }
    | { ok: false; error: string } {
    const manager = this.managers.get(frameworkId);
    if (manager === undefined) return { ok: false, error: `no updates of framework ${frameworkId} wait for an ack` };
    const head = manager.pending(taskId)[0];
    const result = manager.acknowledge(taskId, uuid, now);
    if (!result.ok) return result;
    return { ok: true, acked: head!, next: result.next, drained: manager.pending(taskId).length === 0 };
  }

  /** Updates whose retry is due, each rescheduled. */
  due(now: number): FrameworkUpdate[] {
    const out: FrameworkUpdate[] = [];
    for (const [frameworkId, manager] of this.managers) {
      for (const status of manager.due(now)) out.push({ frameworkId, status });
    }
    return out;
  }

  /** The earliest retry time over all frameworks. */
  nextRetryAt(): number | undefined {
    let next: number | undefined;
    for (const manager of this.managers.values()) {
      const at = manager.nextRetryAt();
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  /** The update of each task waiting for an ack (the one the master has been sent). */
  heads(): FrameworkUpdate[] {
    const out: FrameworkUpdate[] = [];
    for (const [frameworkId, manager] of this.managers) {
      for (const pending of manager.unacknowledged().values()) out.push({ frameworkId, status: pending[0]! });
    }
    return out;
  }

  /** The head update of one task, if any waits for an ack. */
  head(frameworkId: string, taskId: string): TaskStatus | undefined {
    return this.managers.get(frameworkId)?.pending(taskId)[0];
  }

  /** When the head update of a task is due to be resent, if one waits for an ack. */
  retryAt(frameworkId: string, taskId: string): number | undefined {
    return this.managers.get(frameworkId)?.retryAt(taskId);
  }

  /** True when the update `uuid` of a task is queued or sent and not yet acknowledged. */
  isPending(frameworkId: string, taskId: string, uuid: string): boolean {
    return this.managers.get(frameworkId)?.pending(taskId).some((s) => s.uuid === uuid) ?? false;
  }

  /** True when some update of the framework waits for an ack. */
  hasPending(frameworkId: string): boolean {
    return this.managers.get(frameworkId)?.hasPending() ?? false;
  }

  /** Drops a framework's streams (it is gone: nobody will acknowledge them). */
  forget(frameworkId: string): void {
    this.managers.delete(frameworkId);
  }
}
