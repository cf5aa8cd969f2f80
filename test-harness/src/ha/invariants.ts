/**
 * The invariants a fault must not break, checked over a recorded history (pure: no I/O, so the
 * checker is tested with hand-written histories):
 * 1. no task runs twice: never RUNNING on two agents at once, never RUNNING again after its agent
 *    reported it ended;
 * 2. no task forgotten: at the end each has a final state, or runs on a live executor;
 * 3. no agent over-committed: the tasks it runs never ask for more than it has. A task stops
 *    counting when it ended (its final update's own timestamp), not when the framework heard of it:
 *    an update held back while the framework was down arrives long after its resources were free.
 */
import type { HistoryRecord, TaskResources } from './history.js';

/** States after which a task never runs again. */
const FINAL = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR']);
/**
 * The master's verdicts on tasks it cannot see: final for the framework's bookkeeping (their
 * resources are free), but a partitioned agent's task may come back RUNNING (Mesos does this too).
 */
const PRESUMED = new Set(['TASK_LOST', 'TASK_UNREACHABLE', 'TASK_UNKNOWN']);

/** What the checker is told about the end of the run. */
export interface EndOfRun {
  /** Task ids with a live process now (from the executors' process table). */
  liveTasks: ReadonlySet<string>;
  /** Each agent's total resources, by agent id. */
  agentTotals: ReadonlyMap<string, TaskResources>;
  /**
   * Judge only tasks launched before this time as forgotten (mid-run checks: a task launched a
   * moment ago may not have reported yet). Default: all of them (a quiesced run).
   */
  launchedBefore?: number;
}

export interface Violation {
  invariant: 'duplicate-launch' | 'forgotten-task' | 'over-commit';
  task_id?: string;
  agent_id?: string;
  detail: string;
}

interface TaskView {
  agent?: string;
  resources?: TaskResources;
  last?: string;
  /** The first final state reported by anyone, and by the agent's update stream. */
  ended?: string;
  streamEnded?: string;
  /** Holds resources on `agent` (launched or running, not ended). */
  holding: boolean;
  /** Let go of its resources at its final update's timestamp, before that update arrived. */
  freedEarly?: boolean;
  launchedAt?: number;
}

/** Every broken invariant in `history`, in the order found; empty when the run was clean. */
export function checkInvariants(history: readonly HistoryRecord[], end: EndOfRun): Violation[] {
  const violations: Violation[] = [];
  const tasks = new Map<string, TaskView>();
  const used = new Map<string, TaskResources>();
  const take = (agent: string, r: TaskResources, sign: 1 | -1): TaskResources => {
    const now = used.get(agent) ?? { cpus: 0, mem: 0 };
    const next = { cpus: round(now.cpus + sign * r.cpus), mem: round(now.mem + sign * r.mem) };
    used.set(agent, next);
    return next;
  };
  const endedAt = finalTimestamps(history);
  /** Frees the resources of tasks that had ended (by their updates' timestamps) by `time`. */
  const freeEndedBy = (time: number): void => {
    for (const [id, view] of tasks) {
      const end = endedAt.get(id);
      if (!view.holding || end === undefined || end > time || view.agent === undefined || view.resources === undefined) continue;
      view.holding = false;
      view.freedEarly = true;
      take(view.agent, view.resources, -1);
    }
  };
  for (const record of history) {
    if (record.kind === 'subscribed') continue;
    if (record.kind === 'launch') freeEndedBy(record.at);
    const view = tasks.get(record.task_id) ?? { holding: false };
    tasks.set(record.task_id, view);
    if (record.kind === 'launch') {
      if (view.agent !== undefined) violations.push({ invariant: 'duplicate-launch', task_id: record.task_id, agent_id: record.agent_id, detail: `launched again (first on ${view.agent})` });
      Object.assign(view, { agent: record.agent_id, resources: record.resources, holding: true, launchedAt: record.at });
      const after = take(record.agent_id, record.resources, 1);
      const total = end.agentTotals.get(record.agent_id);
      if (total === undefined) violations.push({ invariant: 'over-commit', task_id: record.task_id, agent_id: record.agent_id, detail: 'launched on an agent of unknown size' });
      else if (after.cpus > total.cpus || after.mem > total.mem) {
        violations.push({ invariant: 'over-commit', task_id: record.task_id, agent_id: record.agent_id, detail: `running tasks ask cpus ${after.cpus}, mem ${after.mem} of cpus ${total.cpus}, mem ${total.mem}` });
      }
      continue;
    }
    const agent = record.agent_id ?? view.agent;
    // A reconciliation answer is the master's latest view; the agent's update stream may still be
    // delivering older states after it (RUNNING after a reconciled FINISHED is not a relaunch).
    const reconciled = record.reason === 'REASON_RECONCILIATION';
    if (record.state === 'TASK_RUNNING') {
      if (!reconciled && view.streamEnded !== undefined) violations.push({ invariant: 'duplicate-launch', task_id: record.task_id, agent_id: agent, detail: `RUNNING after ${view.streamEnded}` });
      else if (agent !== undefined && view.agent !== undefined && agent !== view.agent) violations.push({ invariant: 'duplicate-launch', task_id: record.task_id, agent_id: agent, detail: `RUNNING on ${agent} while on ${view.agent}` });
      else if (!view.holding && !view.freedEarly && view.ended === undefined && view.agent !== undefined && view.resources !== undefined) {
        // Back from a presumed loss: it holds its resources again.
        view.holding = true;
        take(view.agent, view.resources, 1);
      }
    } else if ((FINAL.has(record.state) || PRESUMED.has(record.state)) && view.holding && view.agent !== undefined && view.resources !== undefined) {
      view.holding = false;
      take(view.agent, view.resources, -1);
    }
    if (FINAL.has(record.state)) {
      view.ended ??= record.state;
      if (!reconciled) view.streamEnded ??= record.state;
    }
    view.last = record.state;
  }
  for (const [id, view] of tasks) {
    if (end.launchedBefore !== undefined && (view.launchedAt === undefined || view.launchedAt >= end.launchedBefore)) continue;
    const ended = view.ended !== undefined;
    const live = end.liveTasks.has(id);
    if (!ended && !live) violations.push({ invariant: 'forgotten-task', task_id: id, agent_id: view.agent, detail: `last state ${view.last ?? 'none'} and no live process` });
    if (ended && live) violations.push({ invariant: 'forgotten-task', task_id: id, agent_id: view.agent, detail: `reported ${view.ended} but its process still runs` });
  }
  return violations;
}

/** Each task's earliest final update timestamp (epoch ms), where updates carry one. */
function finalTimestamps(history: readonly HistoryRecord[]): Map<string, number> {
  const ends = new Map<string, number>();
  for (const record of history) {
    if (record.kind !== 'update' || record.timestamp === undefined || !FINAL.has(record.state)) continue;
    const at = record.timestamp * 1000;
    ends.set(record.task_id, Math.min(at, ends.get(record.task_id) ?? at));
  }
  return ends;
}

/** Sums of many 0.1s drift; resources are whole hundredths at most. */
function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
