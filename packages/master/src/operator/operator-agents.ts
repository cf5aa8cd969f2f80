import { isPartitionAware, type OperatorCall } from '@tessera/protocol';
import { agentLifecycle } from '../lifecycle/agent-lifecycle.js';
import { masterStatus, toAgent, toFramework, type MasterContext } from '../master-context.js';
import type { AgentRecord } from '../master-state.js';
import type { Offers } from '../offers.js';
import { badRequest, notFound, ok, type OperatorAnswer } from './master-operator.js';

type Respond = (answer: OperatorAnswer) => void;
type DrainConfig = { maxGracePeriodNs: number | undefined; markGone: boolean };

/** How the operator's agent calls tell the rest of the master what changed. */
export interface AgentCallHooks {
  /** The agent was removed for good (marked gone): the SUBSCRIBE feed hears AGENT_REMOVED. */
  agentRemoved(agentId: string): void;
}

/**
 * The operator's calls on agents: DEACTIVATE_AGENT / REACTIVATE_AGENT (no offers from a deactivated
 * agent; its outstanding ones are rescinded), DRAIN_AGENT (deactivate, kill its tasks within an
 * optional grace period, and when they have all ended, optionally mark it gone), and
 * MARK_AGENT_GONE (stored in the registry first; its tasks become TASK_GONE_BY_OPERATOR, it is
 * told to shut down and never admitted again), as in Mesos 1.9.
 */
export class AgentCalls {
  /** Agents being drained, with their drain config; DRAINED once they run no task. */
  readonly draining = new Map<string, DrainConfig & { drained: boolean }>();
  private readonly markingGone = new Set<string>();

  constructor(private readonly context: MasterContext, private readonly offers: Offers, private readonly hooks: AgentCallHooks) {}

  deactivate(agentId: string, respond: Respond): void {
    const agent = this.admitted(agentId);
    if (agent === undefined) return respond(notFound(`DEACTIVATE_AGENT: no registered agent ${agentId}`));
    this.deactivateAgent(agent);
    respond(ok({}));
  }

  reactivate(agentId: string, respond: Respond): void {
    const agent = this.admitted(agentId);
    if (agent === undefined) return respond(notFound(`REACTIVATE_AGENT: no registered agent ${agentId}`));
    if (!this.context.state.deactivatedAgents.has(agentId)) return respond(badRequest(`REACTIVATE_AGENT: agent ${agentId} is not deactivated`));
    this.context.state.deactivatedAgents.delete(agentId);
    this.draining.delete(agentId);
    if (agent.lifecycle.value === 'registered') this.context.toAllocator('allocator.SetAgentActive', { agent_id: agentId, active: true });
    this.context.logger.log('info', 'operator reactivated agent', { agent: agentId });
    respond(ok({}));
  }

  drain(body: NonNullable<OperatorCall['drain_agent']>, respond: Respond): void {
    const agentId = body.agent_id.value;
    const agent = this.admitted(agentId);
    if (agent === undefined) return respond(notFound(`DRAIN_AGENT: no registered agent ${agentId}`));
    const config = { maxGracePeriodNs: body.max_grace_period?.nanoseconds, markGone: body.mark_gone ?? false };
    this.draining.set(agentId, { ...config, drained: false });
    this.deactivateAgent(agent);
    for (const record of this.context.state.tasksOnAgent(agent)) {
      const own = record.task.kill_policy?.grace_period?.nanoseconds;
      const grace = config.maxGracePeriodNs === undefined ? own : Math.min(own ?? config.maxGracePeriodNs, config.maxGracePeriodNs);
      toAgent(this.context, agent, 'agent.KillTask', {
        framework_id: record.task.framework_id, task_id: record.task.task_id,
        ...(grace === undefined ? {} : { kill_policy: { grace_period: { nanoseconds: grace } } }),
      });
    }
    this.context.logger.log('info', 'operator drains agent', { agent: agentId, tasks: agent.tasks.size, mark_gone: config.markGone });
    respond(ok({}));
    this.checkDrained(agent);
  }

  /** After an update from the agent: a draining agent that runs no task any more is DRAINED. */
  checkDrained(agent: AgentRecord | undefined): void {
    if (agent === undefined) return;
    const drain = this.draining.get(agent.id);
    if (drain === undefined || drain.drained || agent.tasks.size > 0) return;
    drain.drained = true;
    this.context.logger.log('info', 'agent drained', { agent: agent.id });
    if (drain.markGone) this.markGone(agent.id, () => undefined);
  }

  markGone(agentId: string, respond: Respond): void {
    const { state } = this.context;
    const agent = state.agents.get(agentId);
    if (agent === undefined && !state.unreachableAgents.has(agentId)) {
      return respond(state.goneAgents.has(agentId) ? badRequest(`MARK_AGENT_GONE: agent ${agentId} is already gone`) : notFound(`MARK_AGENT_GONE: no agent ${agentId}`));
    }
    if (state.goneAgents.has(agentId) || agent?.lifecycle.value === 'removed') return respond(badRequest(`MARK_AGENT_GONE: agent ${agentId} is already gone`));
    if (this.markingGone.has(agentId)) return respond(badRequest(`MARK_AGENT_GONE: agent ${agentId} is being marked gone`));
    this.markingGone.add(agentId);
    const timestamp = this.context.now();
    this.context.store({ kind: 'mark-gone', agentId, timestamp }, () => {
      this.markingGone.delete(agentId);
      state.goneAgents.set(agentId, timestamp);
      state.unreachableAgents.delete(agentId);
      const current = state.agents.get(agentId);
      if (current !== undefined) this.removeAgent(current, 'was marked gone by the operator');
      this.context.count('master/slave_removals/reason_unregistered');
      this.context.logger.log('warn', 'operator marked agent gone', { agent: agentId });
      this.hooks.agentRemoved(agentId);
      respond(ok({}));
    });
  }

  /**
   * The agent leaves for good (marked gone, or its machine taken DOWN): offers withdrawn, its tasks
   * gone (TASK_GONE_BY_OPERATOR, or TASK_LOST for frameworks that are not partition-aware), its
   * frameworks told, the agent shut down.
   */
  removeAgent(agent: AgentRecord, why: string): void {
    const { state } = this.context;
    const inAllocator = agent.lifecycle.value === 'registered' || agent.lifecycle.value === 'disconnected';
    if (inAllocator) {
      this.offers.rescindOnAgent(agent.id, { recover: false });
      this.context.toAllocator('allocator.RemoveAgent', { agent_id: agent.id });
    }
    toAgent(this.context, agent, 'agent.Shutdown', { message: `agent ${agent.id} ${why}` });
    for (const record of state.tasksOnAgent(agent)) {
      const framework = state.frameworks.get(record.task.framework_id.value);
      record.released = true;
      if (framework === undefined) continue;
      const status = masterStatus(this.context, {
        task_id: record.task.task_id,
        state: isPartitionAware(framework.info) ? 'TASK_GONE_BY_OPERATOR' : 'TASK_LOST',
        reason: 'REASON_AGENT_REMOVED_BY_OPERATOR',
        message: `Agent ${agent.id} (${agent.info.hostname}) ${why}`,
        agent_id: { value: agent.id },
        ...(record.task.executor_id === undefined ? {} : { executor_id: record.task.executor_id }),
      });
      const applied = state.updateTask(record, status);
      if (applied.ok) state.completeTask(record);
      toFramework(this.context, framework, { type: 'UPDATE', update: { status } });
    }
    for (const framework of state.frameworks.values()) {
      if (!framework.executors.delete(agent.id) && !inAllocator) continue;
      toFramework(this.context, framework, { type: 'FAILURE', failure: { agent_id: { value: agent.id } } });
    }
    agent.lifecycle = agentLifecycle.must(agent.lifecycle, 'REMOVED');
    this.context.unlink(agent.pid);
    state.agents.delete(agent.id);
    state.deactivatedAgents.delete(agent.id);
    state.recovering.delete(agent.id);
    this.draining.delete(agent.id);
  }

  private deactivateAgent(agent: AgentRecord): void {
    if (this.context.state.deactivatedAgents.has(agent.id)) return;
    this.context.state.deactivatedAgents.add(agent.id);
    this.offers.rescindOnAgent(agent.id, { recover: true });
    this.context.toAllocator('allocator.SetAgentActive', { agent_id: agent.id, active: false });
    this.context.logger.log('info', 'operator deactivated agent', { agent: agent.id });
  }

  /** The agent, when it is admitted (registered, or disconnected but not yet unreachable). */
  private admitted(agentId: string): AgentRecord | undefined {
    const agent = this.context.state.agents.get(agentId);
    return agent !== undefined && (agent.lifecycle.value === 'registered' || agent.lifecycle.value === 'disconnected') ? agent : undefined;
  }
}
