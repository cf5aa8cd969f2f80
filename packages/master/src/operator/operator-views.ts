import { Resources, TASK_STATES, type Task } from '@tessera/protocol';
import { rolesOf, type AgentRecord, type FrameworkRecord } from '../master-state.js';
import { flagEntries } from './operator-flags.js';
import { TESSERA_VERSION, seconds, type OperatorSources } from './operator-host.js';
import { attributeMap, offeredOnAgent, offeredToFramework, reservedMap, resourceMap, usedByFramework, usedOnAgent } from './operator-resources.js';
import { taskResources } from '../task-storage.js';

// The read-only JSON views of Mesos's v0 endpoints (/state, /state-summary, /frameworks, /slaves,
// /tasks, /roles, /flags, /version), field for field, from the master's state.

/** Agents an operator would list: admitted and not removed (recovered ones are listed apart). */
export function listedAgents(s: OperatorSources): AgentRecord[] {
  return [...s.state.agents.values()].filter((a) => a.lifecycle.value === 'registered' || a.lifecycle.value === 'disconnected');
}

/** True when the agent is connected and the operator has not deactivated it. */
export function isAgentActive(s: OperatorSources, agent: AgentRecord): boolean {
  return agent.lifecycle.value === 'registered' && !s.state.deactivatedAgents.has(agent.id);
}

export function taskView(task: Task): Record<string, unknown> {
  return {
    id: task.task_id.value,
    name: task.name,
    framework_id: task.framework_id.value,
    executor_id: task.executor_id?.value ?? '',
    slave_id: task.agent_id.value,
    state: task.state,
    resources: resourceMap(taskResources(task)),
    statuses: (task.statuses ?? []).map((st) => ({ state: st.state, timestamp: st.timestamp ?? 0, ...(st.message === undefined ? {} : { message: st.message }) })),
    ...(task.labels === undefined ? {} : { labels: task.labels.labels }),
  };
}

/** Between the groups of agentInputs, so that an input moving from one group to the next is a change. */
const NEXT_GROUP = Symbol('next group');

/**
 * Everything agentView reads, as values compared by identity: two equal lists mean an equal
 * view (records, resources and infos are replaced when they change, never edited). Kept beside
 * agentView: a field added there must be added here. The agent's tasks stand as its tasksVersion;
 * `executors` are the agent's executors' infos.
 * Written into `into` (emptied first), so that a caller checking 10,000 agents a /state can use
 * one array for all of them.
 */
export function agentInputs(s: OperatorSources, agent: AgentRecord, executors: readonly { resources?: unknown }[], into: unknown[] = []): unknown[] {
  into.length = 0;
  into.push(agent.id, agent.pid, agent.info, agent.total, agent.registeredAt, agent.version, isAgentActive(s, agent), s.state.deactivatedAgents.has(agent.id), agent.tasksVersion, NEXT_GROUP);
  for (const executor of executors) into.push(executor.resources);
  into.push(NEXT_GROUP);
  for (const offer of s.state.offers.onAgent(agent.id)) into.push(offer.resources);
  return into;
}

export function agentView(s: OperatorSources, agent: AgentRecord): Record<string, unknown> {
  return {
    id: agent.id,
    pid: agent.pid,
    hostname: agent.info.hostname,
    port: agent.info.port ?? 0,
    resources: resourceMap(agent.total),
    used_resources: resourceMap(usedOnAgent(s.state, agent)),
    offered_resources: resourceMap(offeredOnAgent(s.state, agent.id)),
    reserved_resources: reservedMap(agent.total),
    unreserved_resources: resourceMap(agent.total.unreserved()),
    attributes: attributeMap(agent.info.attributes),
    active: isAgentActive(s, agent),
    deactivated: s.state.deactivatedAgents.has(agent.id),
    registered_time: seconds(agent.registeredAt),
    version: agent.version,
  };
}

function frameworkSummary(s: OperatorSources, framework: FrameworkRecord): Record<string, unknown> {
  const live = framework.lifecycle.value !== 'tornDown';
  // Each summed once: a framework with 10,000 tasks made each sum cost milliseconds.
  const used = usedByFramework(framework);
  const offered = offeredToFramework(s.state, framework.id);
  return {
    id: framework.id,
    name: framework.info.name,
    pid: framework.pid ?? '',
    user: framework.info.user,
    hostname: framework.info.hostname ?? '',
    principal: framework.info.principal,
    role: rolesOf(framework.info)[0],
    roles: rolesOf(framework.info),
    capabilities: (framework.info.capabilities ?? []).map((c) => c.type),
    failover_timeout: framework.info.failover_timeout ?? 0,
    checkpoint: framework.info.checkpoint ?? false,
    active: framework.lifecycle.value === 'active',
    connected: live && framework.pid !== undefined,
    recovered: live && framework.pid === undefined && framework.lifecycle.value === 'disconnected',
    registered_time: seconds(framework.registeredAt),
    ...(framework.unregisteredAt === undefined ? {} : { unregistered_time: seconds(framework.unregisteredAt) }),
    resources: resourceMap(used.add(offered)),
    used_resources: resourceMap(used),
    offered_resources: resourceMap(offered),
  };
}

/** A framework's two task lists. */
export type TaskList = 'tasks' | 'completed_tasks';

/** The tasks of one of a framework's lists, in the order views write them. */
export function tasksOf(framework: FrameworkRecord, list: TaskList): readonly Task[] {
  return list === 'tasks' ? [...framework.tasks.values()].map((r) => r.task) : framework.completedTasks;
}

/** How a view writes a framework's task list: as task views, or (for /state's JSON) as a stand-in. */
export type TaskListRenderer = (framework: FrameworkRecord, list: TaskList) => unknown;

const taskViews: TaskListRenderer = (framework, list) => tasksOf(framework, list).map(taskView);

export function frameworkView(s: OperatorSources, framework: FrameworkRecord, renderTasks: TaskListRenderer = taskViews): Record<string, unknown> {
  return {
    ...frameworkSummary(s, framework),
    tasks: renderTasks(framework, 'tasks'),
    completed_tasks: renderTasks(framework, 'completed_tasks'),
    offers: s.state.offers.ofFramework(framework.id).map((o) => ({
      id: o.id, framework_id: o.frameworkId, slave_id: o.agentId, resources: resourceMap(o.resources),
    })),
    executors: [...framework.executors].flatMap(([agentId, executors]) => [...executors.values()].map((e) => ({
      executor_id: e.executor_id.value, name: e.name ?? '', framework_id: framework.id, slave_id: agentId,
      resources: resourceMap(Resources.of(e.resources ?? [])),
    }))),
  };
}

export function frameworksView(s: OperatorSources, renderTasks: TaskListRenderer = taskViews): Record<string, unknown> {
  return {
    frameworks: [...s.state.frameworks.values()].map((f) => frameworkView(s, f, renderTasks)),
    completed_frameworks: s.state.completedFrameworks.map((f) => frameworkView(s, f, renderTasks)),
    unregistered_frameworks: [],
  };
}

export function agentsView(s: OperatorSources): Record<string, unknown> {
  const recovered = [...s.state.agents.values()].filter((a) => a.lifecycle.value === 'recovered');
  return {
    slaves: listedAgents(s).map((a) => agentView(s, a)),
    recovered_slaves: recovered.map((a) => ({ id: a.id, pid: a.pid, hostname: a.info.hostname, port: a.info.port ?? 0, resources: resourceMap(a.total), attributes: attributeMap(a.info.attributes) })),
  };
}

function leaderInfo(s: OperatorSources): Record<string, unknown> {
  return { id: s.masterId, pid: s.pid, hostname: s.flags.hostname };
}

/** How /state writes its agents: as agent views, or (for /state's JSON) as a stand-in. */
export type AgentListRenderer = (agents: readonly AgentRecord[]) => unknown;

export function stateView(s: OperatorSources, renderTasks: TaskListRenderer = taskViews, renderAgents: AgentListRenderer = (agents) => agents.map((a) => agentView(s, a))): Record<string, unknown> {
  const agents = listedAgents(s);
  return {
    version: TESSERA_VERSION,
    start_time: seconds(s.startedAt),
    elected_time: seconds(s.electedAt),
    id: s.masterId,
    pid: s.pid,
    hostname: s.flags.hostname,
    leader: s.pid,
    leader_info: leaderInfo(s),
    activated_slaves: agents.filter((a) => isAgentActive(s, a)).length,
    deactivated_slaves: agents.filter((a) => !isAgentActive(s, a)).length,
    unreachable_slaves: s.state.unreachableAgents.size,
    flags: flagsView(s).flags,
    slaves: renderAgents(agents),
    ...frameworksView(s, renderTasks),
  };
}

function taskCounts(tasks: Iterable<Task>): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(TASK_STATES.map((state) => [state, 0]));
  for (const task of tasks) counts[task.state] = (counts[task.state] ?? 0) + 1;
  return counts;
}

export function stateSummaryView(s: OperatorSources): Record<string, unknown> {
  const frameworks = [...s.state.frameworks.values()];
  return {
    hostname: s.flags.hostname,
    slaves: listedAgents(s).map((a) => {
      const tasks = [...a.tasks.values()].map((r) => r.task);
      return { ...agentView(s, a), ...taskCounts(tasks), framework_ids: [...new Set(tasks.map((t) => t.framework_id.value))] };
    }),
    frameworks: frameworks.map((f) => {
      const tasks = [...[...f.tasks.values()].map((r) => r.task), ...f.completedTasks];
      return { ...frameworkSummary(s, f), ...taskCounts(tasks), slave_ids: [...new Set(tasks.map((t) => t.agent_id.value))] };
    }),
  };
}

export function flagsView(s: OperatorSources): { flags: Record<string, string> } {
  return { flags: Object.fromEntries(flagEntries(s.flags)) };
}

export function versionView(): Record<string, unknown> {
  return { version: TESSERA_VERSION };
}
