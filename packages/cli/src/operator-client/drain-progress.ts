import type { MasterClient } from './master-client.js';
import type { MasterState } from './view-types.js';

/** The agent's live tasks in a master's state, or undefined once the master no longer lists the agent. */
export function liveTasksOn(state: MasterState, agentId: string): number | undefined {
  if (!state.slaves.some((a) => a.id === agentId)) return undefined;
  return state.frameworks.reduce((sum, f) => sum + (f.tasks ?? []).filter((t) => t.slave_id === agentId).length, 0);
}

export interface DrainWatch {
  /** Waits between two polls of `/state`. */
  sleep: (ms: number) => Promise<void>;
  /** Told each time the number of tasks left changes (undefined: the agent is gone). */
  report: (tasksLeft: number | undefined) => void;
  intervalMs?: number;
}

/**
 * Polls the master until the drained agent runs no task (or is gone, after `--mark-gone`),
 * reporting each change of the count, so a long drain shows its progress.
 */
export async function waitUntilDrained(master: MasterClient, agentId: string, watch: DrainWatch): Promise<void> {
  let last: number | undefined | null = null;
  for (;;) {
    const left = liveTasksOn(await master.state(), agentId);
    if (left !== last) watch.report(left);
    last = left;
    if (left === undefined || left === 0) return;
    await watch.sleep(watch.intervalMs ?? 500);
  }
}
