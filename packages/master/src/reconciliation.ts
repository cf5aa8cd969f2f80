import { isPartitionAware, type Id, type Task, type TaskState, type TaskStatus } from '@tessera/protocol';
import type { FrameworkRecord, MasterState } from './master-state.js';

type Asked = { task_id: Id; agent_id?: Id };

/**
 * The statuses a RECONCILE is answered with (Mesos's reconciliation.md). Implicit (no tasks
 * named): the latest state of every live task. Explicit: each named task's latest state, or for a
 * task the master does not track, what the master can say of its agent: gone from a registered
 * agent, unreachable with its agent, unknown otherwise (frameworks that are not partition-aware
 * hear TASK_LOST for all three). A task that ended recently is answered with its real end.
 */
export function reconcile(state: MasterState, framework: FrameworkRecord, asked: readonly Asked[], nowSeconds: number): TaskStatus[] {
  if (asked.length === 0) return [...framework.tasks.values()].map((record) => statusOf(record.task, nowSeconds));
  const partitionAware = isPartitionAware(framework.info);
  return asked.map(({ task_id, agent_id }) => {
    const live = framework.tasks.get(task_id.value);
    if (live !== undefined) return statusOf(live.task, nowSeconds);
    const ended = lastMatching(framework.completedTasks, (t) => t.task_id.value === task_id.value);
    if (ended !== undefined) return statusOf(ended, nowSeconds);
    const agent = agent_id === undefined ? undefined : state.agents.get(agent_id.value);
    const situation: TaskState = agent !== undefined ? (agent.lifecycle.value === 'unreachable' ? 'TASK_UNREACHABLE' : 'TASK_GONE')
      : agent_id !== undefined && state.unreachableAgents.has(agent_id.value) ? 'TASK_UNREACHABLE'
        : agent_id !== undefined && state.goneAgents.has(agent_id.value) ? 'TASK_GONE_BY_OPERATOR' : 'TASK_UNKNOWN';
    return {
      task_id,
      state: partitionAware ? situation : 'TASK_LOST',
      source: 'SOURCE_MASTER',
      reason: 'REASON_RECONCILIATION',
      message: `Reconciliation: task is unknown to the master${agent === undefined ? '' : ` on agent ${agent.id} (${agent.lifecycle.value})`}`,
      timestamp: nowSeconds,
      ...(agent_id === undefined ? {} : { agent_id }),
    };
  });
}

/** A task's latest state as the master reports it on reconciliation: no uuid, nothing to acknowledge. */
function statusOf(task: Task, nowSeconds: number): TaskStatus {
  const latest = task.statuses?.[task.statuses.length - 1];
  return {
    task_id: task.task_id,
    state: task.state,
    source: 'SOURCE_MASTER',
    reason: 'REASON_RECONCILIATION',
    message: 'Reconciliation: latest task state',
    agent_id: task.agent_id,
    timestamp: nowSeconds,
    ...(task.executor_id === undefined ? {} : { executor_id: task.executor_id }),
    ...(latest?.healthy === undefined ? {} : { healthy: latest.healthy }),
    ...(latest?.data === undefined ? {} : { data: latest.data }),
  };
}

function lastMatching<T>(items: readonly T[], test: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return items[i];
  return undefined;
}
