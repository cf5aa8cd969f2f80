import { Resources, type ExecutorInfo, type Messages } from '@tessera/protocol';
import { unreservedTwin, validateAccept } from './accept-validation.js';
import { frameworkInfoProblem, unheldRoles } from './framework-validation.js';
import type { Frameworks } from './frameworks.js';
import { masterStatus, toAgent, toFramework, type MasterContext } from './master-context.js';
import { rolesOf, type AgentRecord, type FrameworkRecord } from './master-state.js';
import type { Offers } from './offers.js';
import type { DeferredReconciliation } from './deferred-reconciliation.js';
import type { InverseOffers } from './operator/inverse-offers.js';

type Call = Messages['scheduler.Call'];

/**
 * The calls of a subscribed framework (every scheduler Call but SUBSCRIBE), each checked before
 * it changes anything. A call that cannot be carried out is logged and counted
 * (`master/invalid_framework_calls`); launches that fail validation are answered with status
 * updates that name the problem.
 */
export class SchedulerCalls {
  constructor(
    private readonly context: MasterContext,
    private readonly frameworks: Frameworks,
    private readonly offers: Offers,
    private readonly reconciliation: DeferredReconciliation,
    private readonly inverseOffers: InverseOffers,
  ) {}

  handle(framework: FrameworkRecord, call: Call): void {
    const payload = (call as Record<string, unknown>)[call.type.toLowerCase()];
    const needsPayload = !['TEARDOWN', 'REVIVE', 'SUPPRESS'].includes(call.type);
    if (needsPayload && payload === undefined) return this.invalid(framework, `${call.type} without its '${call.type.toLowerCase()}' field`);
    this.context.count(`master/messages_${call.type.toLowerCase()}`);
    switch (call.type) {
      case 'TEARDOWN': return this.frameworks.teardown(framework, 'the framework asked for TEARDOWN');
      case 'ACCEPT': return this.accept(framework, call.accept!);
      case 'DECLINE': return this.decline(framework, call.decline!);
      case 'REVIVE': return this.reviveOrSuppress(framework, 'allocator.Revive', call.revive?.roles);
      case 'SUPPRESS': return this.reviveOrSuppress(framework, 'allocator.Suppress', call.suppress?.roles);
      case 'KILL': return this.kill(framework, call.kill!);
      case 'SHUTDOWN': return this.withAgent(framework, call.shutdown!.agent_id.value, (agent) =>
        toAgent(this.context, agent, 'agent.ShutdownExecutor', { framework_id: { value: framework.id }, executor_id: call.shutdown!.executor_id }));
      case 'ACKNOWLEDGE': return this.withAgent(framework, call.acknowledge!.agent_id.value, (agent) =>
        toAgent(this.context, agent, 'agent.StatusUpdateAck', { framework_id: { value: framework.id }, task_id: call.acknowledge!.task_id, uuid: call.acknowledge!.uuid }));
      case 'RECONCILE': return this.reconciliation.reconcile(framework, call.reconcile!.tasks);
      case 'MESSAGE': return this.withAgent(framework, call.message!.agent_id.value, (agent) =>
        toAgent(this.context, agent, 'agent.FrameworkMessage', { framework_id: { value: framework.id }, executor_id: call.message!.executor_id, agent_id: { value: agent.id }, data: call.message!.data }));
      case 'UPDATE_FRAMEWORK': return this.updateFramework(framework, call.update_framework!);
      case 'ACCEPT_INVERSE_OFFERS': return this.inverseOffers.answer(framework.id, call.accept_inverse_offers!, 'ACCEPT');
      case 'DECLINE_INVERSE_OFFERS': return this.inverseOffers.answer(framework.id, call.decline_inverse_offers!, 'DECLINE');
      case 'SUBSCRIBE': return; // handled before a framework is known
    }
  }

  private accept(framework: FrameworkRecord, accept: NonNullable<Call['accept']>): void {
    const { state } = this.context;
    const verdict = validateAccept(accept, {
      frameworkId: framework.id,
      roles: framework.roles,
      offers: state.offers.offers,
      taskIdInUse: (id) => framework.tasks.has(id),
    });
    for (const offer of verdict.offers) this.offers.take(offer.id);
    for (const refusal of verdict.refused) {
      const status = masterStatus(this.context, { task_id: refusal.task.task_id, state: refusal.state, reason: refusal.reason, message: refusal.message, agent_id: refusal.task.agent_id });
      toFramework(this.context, framework, { type: 'UPDATE', update: { status } });
    }
    for (const error of verdict.operationErrors) this.invalid(framework, error);
    const agent = verdict.agentId === undefined ? undefined : state.agents.get(verdict.agentId);
    if (agent === undefined) return;
    for (const { operation, tasks } of verdict.accepted) {
      if (operation.type === 'RESERVE' || operation.type === 'UNRESERVE') {
        const named = Resources.of(operation.type === 'RESERVE' ? operation.reserve!.resources : operation.unreserve!.resources);
        const [from, to] = operation.type === 'RESERVE' ? [unreservedTwin(named), named] : [named, unreservedTwin(named)];
        this.context.toAllocator('allocator.Transform', { framework_id: framework.id, agent_id: agent.id, from: from.toJSON(), to: to.toJSON() });
        agent.total = agent.total.subtract(from.withoutAllocation()).add(to.withoutAllocation());
        continue;
      }
      const executor = operation.type === 'LAUNCH_GROUP' ? operation.launch_group!.executor : undefined;
      for (const task of tasks) {
        const executorInfo = executor ?? task.executor;
        state.addTask(framework, agent, task, executorInfo?.executor_id.value);
        if (executorInfo !== undefined) this.trackExecutor(framework, agent, executorInfo);
        if (executor === undefined) toAgent(this.context, agent, 'agent.RunTask', { framework: framework.info, task });
      }
      if (executor !== undefined) toAgent(this.context, agent, 'agent.RunTaskGroup', { framework: framework.info, executor, tasks });
      this.context.count('master/tasks_launched', tasks.length);
    }
    this.offers.recover(framework.id, agent.id, verdict.unused, accept.filters?.refuse_seconds ?? this.context.flags.defaultRefuseSeconds);
  }

  private decline(framework: FrameworkRecord, decline: NonNullable<Call['decline']>): void {
    const refuse = decline.filters?.refuse_seconds ?? this.context.flags.defaultRefuseSeconds;
    for (const { value } of decline.offer_ids) {
      if (this.context.state.offers.get(value)?.frameworkId !== framework.id) {
        this.invalid(framework, `DECLINE of offer ${value}, which is not an outstanding offer of this framework`);
        continue;
      }
      const offer = this.offers.take(value)!;
      this.offers.recover(framework.id, offer.agentId, offer.resources, refuse);
    }
  }

  private reviveOrSuppress(framework: FrameworkRecord, type: 'allocator.Revive' | 'allocator.Suppress', roles: string[] | undefined): void {
    const stray = unheldRoles(framework.roles, roles);
    if (stray.length > 0) return this.invalid(framework, `${type === 'allocator.Revive' ? 'REVIVE' : 'SUPPRESS'} of roles the framework does not hold: ${stray.join(', ')}`);
    const named = roles !== undefined && roles.length > 0 ? roles : [...framework.roles];
    framework.suppressedRoles = type === 'allocator.Suppress'
      ? [...new Set([...framework.suppressedRoles, ...named])]
      : framework.suppressedRoles.filter((r) => !named.includes(r));
    this.context.toAllocator(type, { framework_id: framework.id, ...(roles === undefined || roles.length === 0 ? {} : { roles }) });
  }

  private kill(framework: FrameworkRecord, kill: NonNullable<Call['kill']>): void {
    const record = framework.tasks.get(kill.task_id.value);
    if (record === undefined) {
      // Mesos answers a kill of a task it does not know with what reconciliation would say
      // (after a failover, once the task's agent has had its chance to re-register).
      return this.reconciliation.reconcile(framework, [kill]);
    }
    const agent = this.context.state.agents.get(record.task.agent_id.value);
    if (agent === undefined || agent.lifecycle.value === 'unreachable') return this.invalid(framework, `KILL of task ${kill.task_id.value}: its agent is unreachable`);
    const killPolicy = kill.kill_policy ?? record.task.kill_policy;
    toAgent(this.context, agent, 'agent.KillTask', { framework_id: { value: framework.id }, task_id: kill.task_id, ...(killPolicy === undefined ? {} : { kill_policy: killPolicy }) });
  }

  private updateFramework(framework: FrameworkRecord, update: NonNullable<Call['update_framework']>): void {
    const info = update.framework_info;
    const suppressed = update.suppressed_roles ?? [];
    const problem = info.id?.value !== framework.id
      ? `UPDATE_FRAMEWORK names framework ${info.id?.value ?? '(none)'}, not ${framework.id}`
      : info.principal !== framework.info.principal ? 'UPDATE_FRAMEWORK cannot change the principal' : frameworkInfoProblem(info, suppressed);
    if (problem !== undefined) {
      toFramework(this.context, framework, { type: 'ERROR', error: { message: problem } });
      return;
    }
    framework.info = { ...info, id: { value: framework.id } };
    framework.roles = new Set(rolesOf(info));
    framework.suppressedRoles = suppressed;
    this.context.toAllocator('allocator.UpdateFramework', { framework_id: framework.id, roles: [...framework.roles], suppressed_roles: suppressed });
    this.context.changes.frameworkUpdated(framework);
    for (const agent of this.context.state.agents.values()) {
      if (this.context.state.tasksOnAgent(agent, framework.id).length > 0) toAgent(this.context, agent, 'agent.UpdateFramework', { framework: framework.info });
    }
  }

  private trackExecutor(framework: FrameworkRecord, agent: AgentRecord, info: ExecutorInfo): void {
    let executors = framework.executors.get(agent.id);
    if (executors === undefined) framework.executors.set(agent.id, (executors = new Map()));
    executors.set(info.executor_id.value, info);
  }

  private withAgent(framework: FrameworkRecord, agentId: string, act: (agent: AgentRecord) => void): void {
    const agent = this.context.state.agents.get(agentId);
    if (agent === undefined) return this.invalid(framework, `unknown agent ${agentId}`);
    act(agent);
  }

  private invalid(framework: FrameworkRecord, problem: string): void {
    this.context.count('master/invalid_framework_calls');
    this.context.logger.log('warn', 'framework call refused', { framework: framework.id, problem });
  }
}
