import type { FrameworkInfo, TaskInfo, TaskState, TaskStatus } from '@tessera/protocol';
import { resourceMap, type ResourceMap } from '@tessera/protocol';
import type { IsolationView } from '../isolation/registry.js';

/** A task in the agent's `/state`, Mesos's `model(Task)` field names. */
export interface TaskView {
  id: string;
  name: string;
  framework_id: string;
  executor_id: string;
  slave_id: string;
  state: TaskState;
  resources: ResourceMap;
  statuses: { state: TaskState; timestamp: number }[];
}

/** An executor run in `/state`: where its sandbox is and what it runs. */
export interface ExecutorView {
  id: string;
  name: string;
  source: string;
  container: string;
  /** The sandbox: absolute, readable through /files/* while this agent keeps it. */
  directory: string;
  resources: ResourceMap;
  tasks: TaskView[];
  queued_tasks: TaskView[];
  completed_tasks: TaskView[];
}

/** A framework in `/state`. */
export interface FrameworkView {
  id: string;
  name: string;
  user: string;
  role: string;
  roles: string[];
  hostname: string;
  executors: ExecutorView[];
  completed_executors: ExecutorView[];
}

/** The agent's `/state` (Mesos's agent state.json). */
export interface AgentStateView {
  version: string;
  start_time: number;
  id: string | null;
  pid: string;
  hostname: string;
  port?: number;
  resources: ResourceMap;
  attributes: Record<string, string | number>;
  master_pid: string | null;
  flags: Record<string, string>;
  /** Tessera's: the isolators, the launcher, and what the host offers (detected at start). */
  isolation?: IsolationView;
  frameworks: FrameworkView[];
  completed_frameworks: FrameworkView[];
}

/** The fields of a task the views need. */
export interface TaskFacts {
  info: TaskInfo;
  frameworkId: string;
  executorId: string;
  state: TaskState;
  latest: TaskStatus | undefined;
}

export function taskView(task: TaskFacts, agentId: string, statuses: TaskView['statuses'] = []): TaskView {
  return {
    id: task.info.task_id.value,
    name: task.info.name,
    framework_id: task.frameworkId,
    executor_id: task.executorId,
    slave_id: agentId,
    state: task.state,
    resources: resourceMap(task.info.resources),
    statuses: task.latest === undefined ? statuses : [...statuses, { state: task.latest.state, timestamp: task.latest.timestamp ?? 0 }],
  };
}

export function frameworkView(info: FrameworkInfo, hostname: string): Omit<FrameworkView, 'executors' | 'completed_executors'> {
  const roles = info.roles ?? ['*'];
  return { id: info.id?.value ?? '', name: info.name, user: info.user, role: roles[0] ?? '*', roles, hostname: info.hostname ?? hostname };
}
