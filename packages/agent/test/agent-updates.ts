import type { TaskStatus } from '@tessera/protocol';
import { eventually } from './os-support.js';
import type { Cluster } from './support.js';

/**
 * Acknowledges every update as the master would (framework F1), until `done` holds, moving the
 * manual clock `stepMs` a round: a destroy waits a few ms at a time for killed processes to go,
 * a budget the manual clock must not spend faster than the processes really die.
 */
export async function ackUntil(c: Cluster, what: string, done: () => boolean | Promise<boolean>, stepMs: number): Promise<void> {
  const acked = new Set<string>();
  await eventually(what, async () => {
    for (const { status } of c.master.got('agent.StatusUpdate')) {
      if (status.uuid === undefined || acked.has(status.uuid)) continue;
      acked.add(status.uuid);
      c.master.tell(c.agent.pid, 'agent.StatusUpdateAck', { framework_id: { value: 'F1' }, task_id: status.task_id, uuid: status.uuid });
    }
    await c.advance(stepMs, stepMs);
    return done();
  }, 20_000);
}

/** Every update the agent sent the master for `taskId`, in order. */
export function updatesOf(c: Cluster, taskId: string): TaskStatus[] {
  return c.master.got('agent.StatusUpdate').map((u) => u.status).filter((s) => s.task_id.value === taskId);
}

/** The task's terminal update, once sent. */
export function terminalOf(c: Cluster, taskId: string): TaskStatus | undefined {
  return updatesOf(c, taskId).find((s) => ['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED'].includes(s.state));
}
