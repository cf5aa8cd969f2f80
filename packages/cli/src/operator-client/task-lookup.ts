import { OperatorError } from './errors.js';
import type { AgentExecutorView, AgentState, AgentView, FrameworkView, MasterState, TaskView } from './view-types.js';

/** A task with the framework that owns it and the agent it ran on. */
export interface LocatedTask {
  task: TaskView;
  framework: FrameworkView;
  agent: AgentView;
  /** False for a task in `completed_tasks`. */
  live: boolean;
}

/** Every task in a master's state: live ones first, then completed, of live then completed frameworks. */
export function allTasks(state: MasterState, includeCompleted: boolean): { task: TaskView; framework: FrameworkView; live: boolean }[] {
  const frameworks = [...state.frameworks, ...(includeCompleted ? state.completed_frameworks ?? [] : [])];
  const found = frameworks.flatMap((framework) => (framework.tasks ?? []).map((task) => ({ task, framework, live: true })));
  if (!includeCompleted) return found;
  return [...found, ...frameworks.flatMap((framework) => (framework.completed_tasks ?? []).map((task) => ({ task, framework, live: false })))];
}

/**
 * The task `id` names: an exact task id, else the one task whose id starts with it (as mesos-cat
 * accepts a prefix). A live task wins over a completed one of the same id (a relaunch).
 */
export function locateTask(state: MasterState, id: string): LocatedTask {
  const tasks = allTasks(state, true);
  const exact = tasks.filter((t) => t.task.id === id);
  const matches = exact.length > 0 ? exact : tasks.filter((t) => t.task.id.startsWith(id));
  const ids = new Set(matches.map((t) => `${t.framework.id}/${t.task.id}`));
  if (matches.length === 0) throw new OperatorError(`no task '${id}' on this master`);
  if (ids.size > 1) throw new OperatorError(`'${id}' names ${ids.size} tasks: ${[...ids].slice(0, 5).join(', ')}${ids.size > 5 ? ', ...' : ''}`);
  const match = matches.find((t) => t.live) ?? matches[0]!;
  const agent = state.slaves.find((a) => a.id === match.task.slave_id);
  if (agent === undefined) throw new OperatorError(`task '${match.task.id}' ran on agent ${match.task.slave_id}, which the master no longer knows`);
  return { ...match, agent };
}

/** The sandbox directory of a task on its agent, from the agent's `/state`. */
export function sandboxOf(agentState: AgentState, frameworkId: string, taskId: string): string {
  const frameworks = [...(agentState.frameworks ?? []), ...(agentState.completed_frameworks ?? [])].filter((f) => f.id === frameworkId);
  const executors = frameworks.flatMap((f) => [...(f.executors ?? []), ...(f.completed_executors ?? [])]);
  // The newest run is listed first among live executors, so the first holding the task wins.
  const executor = executors.find((e) => holds(e, taskId)) ?? executors.find((e) => e.id === taskId);
  if (executor === undefined) throw new OperatorError(`agent ${agentState.id ?? ''} has no sandbox for task '${taskId}' (framework ${frameworkId}); it may have been garbage collected`);
  return executor.directory;
}

function holds(executor: AgentExecutorView, taskId: string): boolean {
  return [...(executor.tasks ?? []), ...(executor.queued_tasks ?? []), ...(executor.completed_tasks ?? [])].some((t) => t.id === taskId);
}

/** An agent by id, or by hostname when only one agent has it. */
export function locateAgent(state: MasterState, name: string): AgentView {
  const byId = state.slaves.find((a) => a.id === name);
  if (byId !== undefined) return byId;
  const byHost = state.slaves.filter((a) => a.hostname === name);
  if (byHost.length === 1) return byHost[0]!;
  if (byHost.length > 1) throw new OperatorError(`${byHost.length} agents have hostname '${name}': give the agent id (${byHost.map((a) => a.id).join(', ')})`);
  throw new OperatorError(`no agent '${name}' on this master (see tessera agents)`);
}

/** A framework by id, or by name when only one live framework has it. */
export function locateFramework(state: MasterState, name: string): FrameworkView {
  const byId = state.frameworks.find((f) => f.id === name);
  if (byId !== undefined) return byId;
  const byName = state.frameworks.filter((f) => f.name === name);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) throw new OperatorError(`${byName.length} frameworks are named '${name}': give the framework id (${byName.map((f) => f.id).join(', ')})`);
  if ((state.completed_frameworks ?? []).some((f) => f.id === name)) throw new OperatorError(`framework '${name}' has already ended`);
  throw new OperatorError(`no framework '${name}' on this master (see tessera frameworks)`);
}
