import { readFileSync } from 'node:fs';
import { TERMINAL_TASK_STATES, type AgentCheckpoint, type TaskState } from '@tessera/protocol';
import type { AgentState, ExecutorRun } from './agent-state.js';
import type { Checkpoint } from './checkpoint-reader.js';
import type { UpdateStreams } from './update-streams.js';

/** What a starting agent does with what it finds in its checkpoint directory. */
export type RecoveryPlan =
  | { kind: 'fresh'; why: string; wipe: boolean }
  | { kind: 'recover'; agent: AgentCheckpoint & { agent_id: string }; checkpoint: Checkpoint };

/**
 * Mesos's rule: recover only within the same boot. After a reboot the executors are gone, so the
 * agent starts as a new one (the master will see the old id's tasks lost); an agent that never
 * got an id has nothing to re-register with.
 */
export function planRecovery(checkpoint: Checkpoint, bootId: string): RecoveryPlan {
  const agent = checkpoint.agent;
  if (agent === undefined) return { kind: 'fresh', why: 'no checkpoint', wipe: false };
  if (agent.boot_id !== bootId) {
    return { kind: 'fresh', why: `the host rebooted (boot id ${agent.boot_id}, now ${bootId}): starting as a new agent`, wipe: true };
  }
  if (agent.agent_id === undefined) return { kind: 'fresh', why: 'the checkpointed agent never registered', wipe: true };
  return { kind: 'recover', agent: { ...agent, agent_id: agent.agent_id }, checkpoint };
}

/** What restoring a checkpoint brought back. */
export interface Restored {
  /** Executor runs to wait for: each must subscribe again within the re-registration timeout. */
  runs: ExecutorRun[];
  /** Tasks restored. */
  tasks: number;
  /** Tasks whose terminal update was acknowledged before the agent died: to forget now. */
  finished: { frameworkId: string; taskId: string }[];
}

/**
 * Rebuilds the agent's bookkeeping from a checkpoint: frameworks, executor runs (launching until
 * their executors subscribe again), tasks, and each task's status update stream replayed in
 * order, so that exactly the unacknowledged updates are pending again.
 */
export function restore(checkpoint: Checkpoint, state: AgentState, streams: UpdateStreams, now: number): Restored {
  const out: Restored = { runs: [], tasks: 0, finished: [] };
  for (const framework of checkpoint.frameworks) {
    const frameworkId = framework.info.id!.value;
    state.upsertFramework(framework.info);
    for (const e of framework.executors) {
      const run = state.restoreExecutor({
        frameworkId, executorId: e.info.executor_id.value, info: e.info, kind: e.kind, runId: e.run_id, directory: e.directory,
      }, e.pid);
      out.runs.push(run);
    }
    for (const { task, records } of framework.tasks) {
      const taskId = task.info.task_id.value;
      state.restoreTask(frameworkId, task.executor_id, task.executor_kind, task.info);
      out.tasks += 1;
      let last: TaskState | undefined;
      for (const record of records) {
        if (record.update !== undefined) {
          state.recordUpdate(frameworkId, record.update);
          streams.update(frameworkId, record.update, now);
          last = record.update.state;
        } else {
          streams.acknowledge(frameworkId, taskId, record.ack!, now);
        }
      }
      if (last !== undefined && TERMINAL_TASK_STATES.has(last) && streams.head(frameworkId, taskId) === undefined) {
        out.finished.push({ frameworkId, taskId });
      }
    }
  }
  return out;
}

/** This boot's id (Linux); a constant elsewhere, so that recovery is never refused for lack of it. */
export function readBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}
