import { Resources, isPartitionAware, type AgentInfo, type FrameworkInfo, type Messages, type Task, type TaskStatus } from '@tessera/protocol';
import type { Timer } from '@tessera/process';
import { agentLifecycle } from './lifecycle/agent-lifecycle.js';
import { masterStatus, toAgent, toFramework, type MasterContext } from './master-context.js';
import type { AgentRecord, FrameworkRecord } from './master-state.js';
import type { Offers } from './offers.js';
import { agentId, type RegistrySnapshot } from './registry/registry.js';
import { isOnDownMachine } from './operator/maintenance.js';
import { taskResources } from './task-storage.js';

/** What the agents' part needs from the frameworks' part. */
export interface FrameworkDirectory {
  /** A framework an agent runs tasks of but the master does not know (after a master restart). */
  recover(info: FrameworkInfo): FrameworkRecord | undefined;
}

/**
 * Agents joining, staying, leaving: registration and re-registration (with the tasks they run),
 * pings and the unreachable verdict, and what agents report (status updates, executor exits,
 * executor messages).
 */
export class Agents {
  private pingTimer: Timer | undefined;
  private recoveryTimer: Timer | undefined;
  /** Agents whose admission (or return) the registry is storing, by pid. */
  private readonly admitting = new Set<string>();
  /** Agents whose unreachable mark the registry is storing, by id. */
  private readonly marking = new Set<string>();

  constructor(
    private readonly context: MasterContext,
    private readonly offers: Offers,
    private readonly frameworks: FrameworkDirectory,
    /** Called when a recovered agent re-registers or is found unreachable. */
    private readonly onRecovered: (agentId: string) => void = () => undefined,
  ) {}

  start(): void {
    this.pingTimer = this.context.delay(this.context.flags.agentPingTimeoutMs, () => this.pingRound());
  }

  stop(): void {
    this.pingTimer?.cancel();
    this.recoveryTimer?.cancel();
  }

  /**
   * The agent's total resources, or undefined after telling it to shut down: an agent on a machine
   * DOWN for maintenance, or with resources that do not parse, is not taken in.
   */
  private admissibleTotal(info: AgentInfo, from: string): Resources | undefined {
    if (isOnDownMachine(this.context.state, { info })) {
      this.context.send(from, 'agent.Shutdown', { message: `machine ${info.hostname} is DOWN for maintenance` });
      return undefined;
    }
    try {
      return Resources.of(info.resources);
    } catch (err) {
      this.context.send(from, 'agent.Shutdown', { message: `invalid resources: ${(err as Error).message}` });
      return undefined;
    }
  }

  onRegister(body: Messages['agent.Register'], from: string): void {
    const { state } = this.context;
    const known = state.agentAt(from);
    if (known !== undefined && known.lifecycle.value === 'registered') return this.sendRegistered(known, 'agent.Registered');
    if (this.admitting.has(from)) return; // a retry while the registry stores the first
    const total = this.admissibleTotal(body.agent_info, from);
    if (total === undefined) return;
    const info = { ...body.agent_info, id: { value: this.context.ids.agentId() } };
    this.admitting.add(from);
    // As Mesos's registrar: the agent is told it is registered only once the registry has it.
    this.context.store({ kind: 'admit', agent: { info, pid: from } }, () => {
      this.admitting.delete(from);
      const agent = state.addAgent(info, from, body.version, this.context.now());
      agent.lifecycle = agentLifecycle.must(agent.lifecycle, 'ADMITTED');
      this.context.link(from);
      this.context.toAllocator('allocator.AddAgent', { agent_id: agent.id, hostname: agent.info.hostname, resources: total.toJSON() });
      this.context.count('master/slave_registrations');
      this.context.changes.agentAdded(agent);
      this.context.logger.log('info', 'agent registered', { agent: agent.id, pid: from, hostname: agent.info.hostname });
      this.sendRegistered(agent, 'agent.Registered');
    });
  }

  /**
   * A new leader's agents from the registry: recovered, waiting to re-register. Those still
   * missing after `agentReregisterTimeoutMs` are marked unreachable, unless that would remove
   * more than `recoveryAgentRemovalLimit` of them.
   */
  recover(registry: RegistrySnapshot): void {
    const { state } = this.context;
    for (const [id, at] of registry.unreachable) state.unreachableAgents.set(id, at);
    for (const [id, at] of registry.gone) state.goneAgents.set(id, at);
    for (const entry of registry.agents.values()) {
      const agent = state.addAgent({ ...entry.info, id: { value: agentId(entry) } }, entry.pid, '', this.context.now());
      agent.lifecycle = agentLifecycle.must(agent.lifecycle, 'RECOVERED');
      state.recovering.add(agent.id);
    }
    if (state.recovering.size === 0) return;
    this.context.logger.log('info', `waiting for ${state.recovering.size} agents of the registry to re-register`, { timeout_ms: this.context.flags.agentReregisterTimeoutMs });
    this.recoveryTimer = this.context.delay(this.context.flags.agentReregisterTimeoutMs, () => this.recoveryTimedOut(registry.agents.size));
  }

  private recoveryTimedOut(recoveredTotal: number): void {
    const { state, flags } = this.context;
    const missing = [...state.recovering].flatMap((id) => state.agents.get(id) ?? []);
    if (missing.length === 0) return;
    const limit = Math.floor(flags.recoveryAgentRemovalLimit * recoveredTotal);
    if (missing.length > limit) {
      this.context.count('master/recovery_slave_removal_limit_exceeded');
      this.context.logger.log('error', `${missing.length} of ${recoveredTotal} agents did not re-register after the failover: over the removal limit of ${limit}, so none is marked unreachable`, {});
      return;
    }
    this.context.count('master/recovery_slave_removals', missing.length);
    for (const agent of missing) this.markUnreachable(agent, `it did not re-register within ${flags.agentReregisterTimeoutMs} ms of the master's failover`);
  }

  onReregister(body: Messages['agent.Reregister'], from: string): void {
    const { state } = this.context;
    const id = body.agent_info.id?.value;
    if (id === undefined) return this.context.send(from, 'agent.Shutdown', { message: 're-registration needs the agent id' });
    const agent = state.agents.get(id);
    if (agent?.lifecycle.value === 'removed') return this.context.send(from, 'agent.Shutdown', { message: `agent ${id} was removed` });
    if (state.goneAgents.has(id)) return this.context.send(from, 'agent.Shutdown', { message: `agent ${id} was marked gone` });
    const total = this.admissibleTotal(body.agent_info, from);
    if (total === undefined) return;
    const admitted = agent !== undefined && agent.lifecycle.value !== 'unreachable';
    if (admitted) return this.completeReregistration(body, from, id, total);
    if (this.admitting.has(from)) return;
    // Unreachable, or unknown to this master (its registry lost it): the registry takes it back first.
    this.admitting.add(from);
    this.context.store({ kind: 'mark-reachable', agent: { info: { ...body.agent_info, id: { value: id } }, pid: from } }, () => {
      this.admitting.delete(from);
      state.unreachableAgents.delete(id);
      this.completeReregistration(body, from, id, total);
    });
  }

  private completeReregistration(body: Messages['agent.Reregister'], from: string, id: string, total: Resources): void {
    const { state } = this.context;
    let agent = state.agents.get(id);
    const inAllocator = agent !== undefined && (agent.lifecycle.value === 'registered' || agent.lifecycle.value === 'disconnected');
    const wasDisconnected = agent?.lifecycle.value === 'disconnected';
    if (agent === undefined) agent = state.addAgent({ ...body.agent_info, id: { value: id } }, from, body.version, this.context.now());
    else {
      if (agent.pid !== from) state.setAgentPid(agent, from);
      agent.info = { ...body.agent_info, id: { value: id } };
      agent.version = body.version;
    }
    const totalChanged = !total.equals(agent.total);
    agent.total = total;
    agent.lifecycle = agentLifecycle.must(agent.lifecycle, 'REREGISTERED');
    agent.missedPings = 0;
    agent.unreachableAt = undefined;
    this.context.link(from);
    this.adoptReportedTasks(agent, body);
    if (!inAllocator) {
      this.context.toAllocator('allocator.AddAgent', { agent_id: agent.id, hostname: agent.info.hostname, resources: total.toJSON(), used: this.usedOn(agent) });
    } else {
      if (totalChanged) this.context.toAllocator('allocator.UpdateAgent', { agent_id: agent.id, resources: total.toJSON() });
      if (wasDisconnected && !state.deactivatedAgents.has(agent.id)) this.context.toAllocator('allocator.SetAgentActive', { agent_id: agent.id, active: true });
    }
    // An agent the operator deactivated stays so across its reconnections.
    if (!inAllocator && state.deactivatedAgents.has(agent.id)) this.context.toAllocator('allocator.SetAgentActive', { agent_id: agent.id, active: false });
    this.context.count('master/slave_reregistrations');
    if (!inAllocator) this.context.changes.agentAdded(agent);
    this.context.logger.log('info', 'agent re-registered', { agent: agent.id, pid: from, tasks: body.tasks.length });
    this.sendRegistered(agent, 'agent.Reregistered');
    this.recovered(agent.id);
  }

  /** A recovered agent is settled (re-registered or unreachable): reconciliations waiting on it go on. */
  private recovered(agentId: string): void {
    const { state } = this.context;
    if (!state.recovering.delete(agentId)) return;
    if (state.recovering.size === 0) {
      this.recoveryTimer?.cancel();
      this.context.logger.log('info', 'every agent of the registry has re-registered or been marked unreachable', {});
    }
    this.onRecovered(agentId);
  }

  onPong(from: string): void {
    const agent = this.context.state.agentAt(from);
    if (agent !== undefined) agent.missedPings = 0;
  }

  /** The agent's link broke: no offers on it until it re-registers or is found unreachable. */
  onAgentExited(agent: AgentRecord): void {
    if (agent.lifecycle.value !== 'registered') return;
    agent.lifecycle = agentLifecycle.must(agent.lifecycle, 'DISCONNECTED');
    this.offers.rescindOnAgent(agent.id, { recover: true });
    this.context.toAllocator('allocator.SetAgentActive', { agent_id: agent.id, active: false });
    this.context.logger.log('warn', 'agent disconnected', { agent: agent.id });
  }

  onStatusUpdate(body: Messages['agent.StatusUpdate'], from: string): void {
    const { state } = this.context;
    const agent = state.agentAt(from);
    if (agent === undefined || agent.lifecycle.value === 'unreachable' || agent.lifecycle.value === 'removed' || agent.lifecycle.value === 'recovered') {
      // An agent we do not consider part of the cluster: it will re-register and resend.
      this.context.count('master/invalid_status_updates');
      return;
    }
    const frameworkId = body.framework_id.value;
    const status: TaskStatus = { ...body.status, agent_id: { value: agent.id } };
    const framework = state.frameworks.get(frameworkId);
    if (framework === undefined) {
      this.context.count('master/invalid_status_updates');
      if (state.isCompletedFramework(frameworkId)) toAgent(this.context, agent, 'agent.ShutdownFramework', { framework_id: body.framework_id });
      return;
    }
    const record = framework.tasks.get(status.task_id.value);
    if (record !== undefined) {
      const applied = state.updateTask(record, status);
      if (applied.ok && applied.terminal) this.endTask(framework, record.task, taskResources(record.task));
      if (!applied.ok) this.context.logger.log('debug', 'status update does not change the task', { task: status.task_id.value, error: applied.error });
    }
    this.context.count('master/valid_status_updates');
    toFramework(this.context, framework, { type: 'UPDATE', update: { status } });
  }

  onExecutorExited(body: Messages['agent.ExecutorExited'], from: string): void {
    const agent = this.context.state.agentAt(from);
    const framework = this.context.state.frameworks.get(body.framework_id.value);
    if (agent === undefined || framework === undefined) return;
    const executors = framework.executors.get(agent.id);
    const executor = executors?.get(body.executor_id.value);
    executors?.delete(body.executor_id.value);
    if (executor?.resources !== undefined) this.offers.recover(framework.id, agent.id, Resources.of(executor.resources));
    toFramework(this.context, framework, { type: 'FAILURE', failure: { agent_id: { value: agent.id }, executor_id: body.executor_id, status: body.status } });
  }

  onFrameworkMessage(body: Messages['agent.FrameworkMessage'], from: string): void {
    const agent = this.context.state.agentAt(from);
    const framework = this.context.state.frameworks.get(body.framework_id.value);
    if (agent === undefined || framework === undefined) return;
    toFramework(this.context, framework, { type: 'MESSAGE', message: { agent_id: { value: agent.id }, executor_id: body.executor_id, data: body.data } });
  }

  /** A task of the framework ended: its resources go back, and it moves to the completed list. */
  endTask(framework: FrameworkRecord, task: Task, resources: Resources): void {
    const record = framework.tasks.get(task.task_id.value);
    if (record === undefined) return;
    if (!record.released) {
      record.released = true;
      this.offers.recover(framework.id, task.agent_id.value, resources);
    }
    this.context.state.completeTask(record);
  }

  private sendRegistered(agent: AgentRecord, type: 'agent.Registered' | 'agent.Reregistered'): void {
    this.context.send(agent.pid, type, {
      agent_id: { value: agent.id },
      master_id: this.context.masterId,
      ping_interval_ms: this.context.flags.agentPingTimeoutMs,
      max_missed_pings: this.context.flags.maxAgentPingTimeouts,
    });
  }

  private pingRound(): void {
    const { flags, state } = this.context;
    for (const agent of state.agents.values()) {
      if (agent.lifecycle.value !== 'registered' && agent.lifecycle.value !== 'disconnected') continue;
      if (agent.missedPings >= flags.maxAgentPingTimeouts) {
        this.markUnreachable(agent, `it missed ${agent.missedPings} pings`);
        continue;
      }
      agent.missedPings++;
      this.context.send(agent.pid, 'agent.Ping', { connected: agent.lifecycle.value === 'registered' });
    }
    this.start();
  }

  /**
   * The agent missed too many pings. Its offers are withdrawn, it leaves the allocator, and its
   * tasks are reported unreachable to partition-aware frameworks and lost to the others.
   */
  private markUnreachable(agent: AgentRecord, why: string): void {
    if (this.marking.has(agent.id)) return;
    this.marking.add(agent.id);
    const timestamp = this.context.now();
    // Stored first, as Mesos's MarkSlaveUnreachable: frameworks hear of it only once it is durable.
    this.context.store({ kind: 'mark-unreachable', agentId: agent.id, timestamp }, () => {
      this.marking.delete(agent.id);
      if (agent.lifecycle.value === 'registered' || agent.lifecycle.value === 'disconnected' || agent.lifecycle.value === 'recovered') {
        this.applyUnreachable(agent, why, timestamp);
      }
    });
  }

  private applyUnreachable(agent: AgentRecord, why: string, timestamp: number): void {
    const { state } = this.context;
    const wasRecovered = agent.lifecycle.value === 'recovered';
    agent.lifecycle = agentLifecycle.must(agent.lifecycle, wasRecovered ? 'REREGISTER_TIMEOUT' : 'PING_TIMEOUT');
    agent.unreachableAt = timestamp;
    state.unreachableAgents.set(agent.id, timestamp);
    if (!wasRecovered) {
      this.offers.rescindOnAgent(agent.id, { recover: false });
      this.context.toAllocator('allocator.RemoveAgent', { agent_id: agent.id });
    }
    for (const record of state.tasksOnAgent(agent)) {
      const framework = state.frameworks.get(record.task.framework_id.value);
      if (framework === undefined || record.task.state === 'TASK_UNREACHABLE') continue;
      record.released = true;
      const status = masterStatus(this.context, {
        task_id: record.task.task_id,
        state: isPartitionAware(framework.info) ? 'TASK_UNREACHABLE' : 'TASK_LOST',
        reason: 'REASON_AGENT_REMOVED',
        message: `Agent ${agent.id} (${agent.info.hostname}) is unreachable: ${why}`,
        agent_id: { value: agent.id },
        ...(record.task.executor_id === undefined ? {} : { executor_id: record.task.executor_id }),
      });
      const applied = state.updateTask(record, status);
      if (applied.ok && applied.terminal) state.completeTask(record);
      toFramework(this.context, framework, { type: 'UPDATE', update: { status } });
    }
    for (const framework of state.frameworks.values()) {
      framework.executors.delete(agent.id);
      toFramework(this.context, framework, { type: 'FAILURE', failure: { agent_id: { value: agent.id } } });
    }
    this.context.count('master/slave_unreachable_completed');
    if (!wasRecovered) this.context.changes.agentRemoved(agent.id);
    this.context.logger.log('warn', `agent unreachable: ${why}`, { agent: agent.id });
    if (wasRecovered) this.recovered(agent.id);
  }

  /**
   * Brings the master's view of a re-registering agent's tasks in line with the agent's: tasks
   * it reports are adopted (or updated); tasks the master launched there that the agent never
   * heard of are gone, and their frameworks are told so. Tasks of frameworks torn down meanwhile
   * are shut down on the agent.
   */
  private adoptReportedTasks(agent: AgentRecord, body: Messages['agent.Reregister']): void {
    const { state } = this.context;
    // After a failover the master knows none of the agent's tasks: nothing can be missing from
    // the report, and 100,000 tasks' keys need not be made.
    const knewTasks = agent.tasks.size > 0;
    const reported = knewTasks ? new Set<string>() : undefined;
    let infos: Map<string, FrameworkInfo> | undefined;
    const shutDown = new Set<string>();
    for (const task of body.tasks) {
      const frameworkId = task.framework_id.value;
      reported?.add(`${frameworkId}/${task.task_id.value}`);
      let framework = state.frameworks.get(frameworkId);
      if (framework === undefined) {
        if (state.isCompletedFramework(frameworkId)) {
          shutDown.add(frameworkId);
          continue;
        }
        infos ??= new Map(body.frameworks.map((f) => [f.id?.value ?? '', f]));
        framework = this.recoverFramework(infos.get(frameworkId));
        if (framework === undefined) continue;
      }
      const known = framework.tasks.get(task.task_id.value);
      if (known === undefined) state.adoptTask(framework, agent, { ...task, agent_id: { value: agent.id } });
      else if (known.task.state !== task.state) {
        state.updateTask(known, masterStatus(this.context, { task_id: task.task_id, state: task.state, reason: 'REASON_AGENT_REREGISTERED', message: 'state reported by the re-registered agent', agent_id: { value: agent.id } }));
        known.released = false;
      } else known.released = false;
    }
    for (const executor of body.executors) {
      const framework = state.frameworks.get(executor.framework_id.value);
      if (framework === undefined) continue;
      let executors = framework.executors.get(agent.id);
      if (executors === undefined) framework.executors.set(agent.id, (executors = new Map()));
      executors.set(executor.executor_info.executor_id.value, executor.executor_info);
    }
    if (reported !== undefined) this.loseUnreported(agent, reported);
    for (const frameworkId of shutDown) this.context.send(agent.pid, 'agent.ShutdownFramework', { framework_id: { value: frameworkId } });
  }

  /** Tasks the master knew on the agent that its re-registration did not report are lost. */
  private loseUnreported(agent: AgentRecord, reported: ReadonlySet<string>): void {
    const { state } = this.context;
    for (const record of state.tasksOnAgent(agent)) {
      if (reported.has(`${record.task.framework_id.value}/${record.task.task_id.value}`)) continue;
      const framework = state.frameworks.get(record.task.framework_id.value);
      if (framework === undefined) continue;
      const status = masterStatus(this.context, {
        task_id: record.task.task_id,
        state: isPartitionAware(framework.info) ? 'TASK_DROPPED' : 'TASK_LOST',
        reason: 'REASON_TASK_UNKNOWN',
        message: `Agent ${agent.id} re-registered without this task`,
        agent_id: { value: agent.id },
      });
      state.updateTask(record, status);
      record.released = true;
      state.completeTask(record);
      toFramework(this.context, framework, { type: 'UPDATE', update: { status } });
    }
  }

  private recoverFramework(info: FrameworkInfo | undefined): FrameworkRecord | undefined {
    return info === undefined ? undefined : this.frameworks.recover(info);
  }

  /** What each framework holds on the agent: its live tasks' resources and its executors'. */
  private usedOn(agent: AgentRecord): { framework_id: string; resources: Messages['allocator.AddAgent']['resources'] }[] {
    const used = new Map<string, Resources>();
    for (const record of this.context.state.tasksOnAgent(agent)) {
      const frameworkId = record.task.framework_id.value;
      used.set(frameworkId, (used.get(frameworkId) ?? Resources.EMPTY).add(taskResources(record.task)));
    }
    for (const framework of this.context.state.frameworks.values()) {
      for (const executor of framework.executors.get(agent.id)?.values() ?? []) {
        if (executor.resources !== undefined) used.set(framework.id, (used.get(framework.id) ?? Resources.EMPTY).add(Resources.of(executor.resources)));
      }
    }
    return [...used].filter(([id]) => this.context.state.frameworks.has(id)).map(([framework_id, resources]) => ({ framework_id, resources: resources.toJSON() }));
  }
}
