import type { ExecutorInfo, FrameworkInfo, TaskInfo, TaskState, TaskStatus } from '@tessera/protocol';
import type { ExecutorKind } from './agent-state.js';
import { pathIdError } from './sandbox.js';

/** Which executor runs a launch, and how. */
export interface ExecutorPlan {
  info: ExecutorInfo;
  kind: ExecutorKind;
}

/** An executor plan, or why the launch is refused (its tasks become TASK_ERROR). */
export type PlanResult = { ok: true; plan: ExecutorPlan } | { ok: false; error: string };

/**
 * Decides the executor of a single task (Mesos's LAUNCH): a command task gets a command
 * executor whose id is the task's; a task with `executor` runs in that custom executor, which
 * must say how to start it (its `command`).
 */
export function planTask(framework: FrameworkInfo, task: TaskInfo): PlanResult {
  const frameworkId = framework.id!.value;
  const idProblem = pathIdError(frameworkId) ?? pathIdError(task.task_id.value);
  if (idProblem !== undefined) return { ok: false, error: `invalid id: ${idProblem}` };
  if ((task.command === undefined) === (task.executor === undefined)) {
    return { ok: false, error: `task ${task.task_id.value} needs exactly one of 'command' or 'executor'` };
  }
  if (task.command !== undefined) {
    return {
      ok: true,
      plan: {
        kind: 'command',
        info: {
          executor_id: { value: task.task_id.value },
          framework_id: { value: frameworkId },
          command: task.command,
          name: `Command Executor (Task: ${task.task_id.value})`,
        },
      },
    };
  }
  const executor = task.executor!;
  if (executor.type === 'DEFAULT') return { ok: false, error: `a DEFAULT executor runs task groups only, not task ${task.task_id.value}` };
  return planCustom(frameworkId, executor);
}

/**
 * Decides the executor of a task group (Mesos's LAUNCH_GROUP): a DEFAULT executor is run by the
 * framework's executor host (its command executors run groups); a CUSTOM one by its command.
 */
export function planGroup(framework: FrameworkInfo, executor: ExecutorInfo, tasks: TaskInfo[]): PlanResult {
  const frameworkId = framework.id!.value;
  const idProblem = pathIdError(frameworkId) ?? tasks.map((t) => pathIdError(t.task_id.value)).find((p) => p !== undefined);
  if (idProblem !== undefined) return { ok: false, error: `invalid id: ${idProblem}` };
  const withExecutor = tasks.find((t) => t.executor !== undefined);
  if (withExecutor !== undefined) return { ok: false, error: `task ${withExecutor.task_id.value} of a group may not name an executor` };
  const ids = new Set(tasks.map((t) => t.task_id.value));
  if (ids.size !== tasks.length) return { ok: false, error: 'a task group holds the same task id twice' };
  // An executor that names no type is custom when it says how to start it, as a v0 framework's.
  if (executor.type === 'CUSTOM' || (executor.type === undefined && executor.command !== undefined)) return planCustom(frameworkId, executor);
  const problem = pathIdError(executor.executor_id.value) ?? frameworkMismatch(frameworkId, executor);
  if (problem !== undefined) return { ok: false, error: problem };
  return { ok: true, plan: { kind: 'default', info: { ...executor, type: 'DEFAULT', framework_id: { value: frameworkId } } } };
}

function planCustom(frameworkId: string, executor: ExecutorInfo): PlanResult {
  const problem = pathIdError(executor.executor_id.value) ?? frameworkMismatch(frameworkId, executor);
  if (problem !== undefined) return { ok: false, error: problem };
  if (executor.command?.value === undefined || executor.command.value.trim() === '') {
    return { ok: false, error: `executor ${executor.executor_id.value} has no command to start it with` };
  }
  return { ok: true, plan: { kind: 'custom', info: { ...executor, framework_id: { value: frameworkId } } } };
}

function frameworkMismatch(frameworkId: string, executor: ExecutorInfo): string | undefined {
  const named = executor.framework_id?.value;
  return named !== undefined && named !== frameworkId ? `executor ${executor.executor_id.value} names framework ${named}, not ${frameworkId}` : undefined;
}

/** Mesos's reasons for the updates the agent makes itself. */
export type AgentReason =
  | 'REASON_EXECUTOR_TERMINATED'
  | 'REASON_EXECUTOR_REGISTRATION_TIMEOUT'
  | 'REASON_EXECUTOR_REREGISTRATION_TIMEOUT'
  | 'REASON_CONTAINER_LAUNCH_FAILED'
  | 'REASON_TASK_KILLED_DURING_LAUNCH'
  | 'REASON_TASK_INVALID'
  | 'REASON_CONTAINER_LIMITATION'
  | 'REASON_CONTAINER_LIMITATION_MEMORY'
  | 'REASON_CONTAINER_LIMITATION_DISK';

/** A status update the agent makes itself (source SOURCE_AGENT), uuid included. */
export function agentStatus(
  fields: { taskId: string; state: TaskState; reason: AgentReason; message: string; agentId: string | undefined; executorId?: string; uuid: string },
): TaskStatus {
  const status: TaskStatus = {
    task_id: { value: fields.taskId },
    state: fields.state,
    message: fields.message,
    source: 'SOURCE_AGENT',
    reason: fields.reason,
    uuid: fields.uuid,
  };
  if (fields.agentId !== undefined) status.agent_id = { value: fields.agentId };
  if (fields.executorId !== undefined) status.executor_id = { value: fields.executorId };
  return status;
}

