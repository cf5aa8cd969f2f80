import { Resources, type AgentInfo, type OperatorAgent, type OperatorFramework, type OperatorState, type Task } from '@tessera/protocol';
import type { AgentRecord, FrameworkRecord } from '../master-state.js';
import { timeInfo, type OperatorSources } from './operator-host.js';
import { roleSummaries } from './operator-lists.js';
import { offeredOnAgent, offeredToFramework, usedByFramework, usedOnAgent } from './operator-resources.js';
import { isAgentActive, listedAgents } from './operator-views.js';

// The v1 operator API's shapes (Response.GetAgents/GetFrameworks/GetTasks/GetState of
// master.proto) from the master's state.

export function v1Agent(s: OperatorSources, agent: AgentRecord): OperatorAgent {
  return {
    agent_info: agent.info,
    active: isAgentActive(s, agent),
    deactivated: s.state.deactivatedAgents.has(agent.id),
    version: agent.version,
    pid: agent.pid,
    registered_time: timeInfo(agent.registeredAt),
    total_resources: agent.total.toJSON(),
    allocated_resources: usedOnAgent(s.state, agent).toJSON(),
    offered_resources: offeredOnAgent(s.state, agent.id).toJSON(),
  };
}

export function v1Framework(s: OperatorSources, framework: FrameworkRecord): OperatorFramework {
  const live = framework.lifecycle.value !== 'tornDown';
  return {
    framework_info: framework.info,
    active: framework.lifecycle.value === 'active',
    connected: live && framework.pid !== undefined,
    recovered: live && framework.pid === undefined,
    registered_time: timeInfo(framework.registeredAt),
    ...(framework.unregisteredAt === undefined ? {} : { unregistered_time: timeInfo(framework.unregisteredAt) }),
    offers: s.state.offers.ofFramework(framework.id).map((o) => o.offer),
    inverse_offers: [],
    allocated_resources: usedByFramework(framework).toJSON(),
    offered_resources: offeredToFramework(s.state, framework.id).toJSON(),
  };
}

export function v1Agents(s: OperatorSources): OperatorState['get_agents'] {
  const recovered: AgentInfo[] = [...s.state.agents.values()].filter((a) => a.lifecycle.value === 'recovered').map((a) => a.info);
  return { agents: listedAgents(s).map((a) => v1Agent(s, a)), recovered_agents: recovered };
}

export function v1Frameworks(s: OperatorSources): OperatorState['get_frameworks'] {
  return {
    frameworks: [...s.state.frameworks.values()].map((f) => v1Framework(s, f)),
    completed_frameworks: s.state.completedFrameworks.map((f) => v1Framework(s, f)),
  };
}

export function v1Tasks(s: OperatorSources): OperatorState['get_tasks'] {
  const live: Task[] = [...s.state.frameworks.values()].flatMap((f) => [...f.tasks.values()].map((r) => r.task));
  return {
    pending_tasks: [],
    tasks: live.filter((t) => t.state !== 'TASK_UNREACHABLE'),
    unreachable_tasks: live.filter((t) => t.state === 'TASK_UNREACHABLE'),
    completed_tasks: [...s.state.frameworks.values(), ...s.state.completedFrameworks].flatMap((f) => f.completedTasks),
  };
}

export function v1Executors(s: OperatorSources): OperatorState['get_executors'] {
  return {
    executors: [...s.state.frameworks.values()].flatMap((f) => [...f.executors].flatMap(([agentId, executors]) =>
      [...executors.values()].map((e) => ({ agent_id: { value: agentId }, executor_info: { ...e, framework_id: { value: f.id } } })))),
  };
}

export function v1State(s: OperatorSources): OperatorState {
  return { get_tasks: v1Tasks(s), get_executors: v1Executors(s), get_frameworks: v1Frameworks(s), get_agents: v1Agents(s) };
}

export function v1Roles(s: OperatorSources): { roles: { name: string; weight: number; frameworks: { value: string }[]; resources: ReturnType<Resources['toJSON']> }[] } {
  return {
    roles: roleSummaries(s).map((r) => ({
      name: r.name, weight: r.weight, frameworks: r.frameworks.map((value) => ({ value })), resources: r.allocated.toJSON(),
      ...(s.state.quotas.has(r.name) ? { quota: s.state.quotas.get(r.name)! } : {}),
    })),
  };
}
