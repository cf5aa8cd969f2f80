import type { FrameworkInfo, Messages } from '@tessera/protocol';
import type { Timer } from '@tessera/process';
import { frameworkInfoProblem } from './framework-validation.js';
import { frameworkLifecycle } from './lifecycle/framework-lifecycle.js';
import { masterStatus, toAgent, toFramework, type MasterContext } from './master-context.js';
import { rolesOf, type FrameworkRecord } from './master-state.js';
import type { Offers } from './offers.js';

type Subscribe = NonNullable<Messages['scheduler.Call']['subscribe']>;

/**
 * Frameworks joining and leaving: subscription (new, or again after a scheduler failover),
 * heartbeats, disconnection with its failover timeout, and teardown.
 */
export class Frameworks {
  private readonly failoverTimers = new Map<string, Timer>();
  private heartbeatTimer: Timer | undefined;

  constructor(private readonly context: MasterContext, private readonly offers: Offers) {}

  start(): void {
    this.heartbeatTimer = this.context.delay(this.context.flags.frameworkHeartbeatMs, () => {
      for (const framework of this.context.state.frameworks.values()) {
        if (framework.lifecycle.value === 'active') toFramework(this.context, framework, { type: 'HEARTBEAT' });
      }
      this.start();
    });
  }

  stop(): void {
    this.heartbeatTimer?.cancel();
    for (const timer of this.failoverTimers.values()) timer.cancel();
  }

  onSubscribe(subscribe: Subscribe, frameworkId: string | undefined, from: string): void {
    const { state } = this.context;
    const info = subscribe.framework_info;
    const suppressed = subscribe.suppressed_roles ?? [];
    const id = info.id?.value ?? frameworkId;
    const problem = frameworkInfoProblem(info, suppressed) ??
      (info.id !== undefined && frameworkId !== undefined && info.id.value !== frameworkId ? 'framework_id and framework_info.id differ' : undefined);
    if (problem !== undefined) return this.refuse(from, `Framework cannot subscribe: ${problem}`);
    if (id !== undefined && state.isCompletedFramework(id)) return this.refuse(from, `Framework ${id} has been removed (torn down); subscribe without an id to start anew`);
    // A first subscription the scheduler sent again while the answer was on its way (Mesos: "already
    // subscribed, resending acknowledgement"): the framework it has, not a second one.
    const retried = id === undefined ? state.frameworkAt(from) : undefined;
    if (retried !== undefined && retried.lifecycle.value === 'active') return this.sendSubscribed(retried);
    const known = id === undefined ? undefined : state.frameworks.get(id);
    if (known === undefined) return this.admit({ ...info, id: { value: id ?? this.context.ids.frameworkId() } }, suppressed, from);
    if (known.pid === from && known.lifecycle.value === 'active') return this.sendSubscribed(known);
    this.failOver(known, { ...info, id: { value: known.id } }, suppressed, from);
  }

  /** The scheduler's link broke: the framework waits for it for failover_timeout, then is torn down. */
  onSchedulerExited(framework: FrameworkRecord): void {
    if (framework.lifecycle.value !== 'active') return;
    framework.lifecycle = frameworkLifecycle.must(framework.lifecycle, 'DISCONNECTED');
    this.context.state.setSchedulerPid(framework, undefined);
    this.offers.rescindOfFramework(framework.id);
    this.context.toAllocator('allocator.SetFrameworkActive', { framework_id: framework.id, active: false });
    this.context.changes.frameworkUpdated(framework);
    this.context.logger.log('warn', 'framework disconnected', { framework: framework.id, failover_timeout_s: framework.info.failover_timeout ?? 0 });
    this.armFailoverTimeout(framework);
  }

  /** A framework that an agent runs tasks of but the master does not know: wait for its scheduler. */
  recover(info: FrameworkInfo): FrameworkRecord | undefined {
    if (info.id === undefined || this.context.state.isCompletedFramework(info.id.value)) return undefined;
    const framework = this.context.state.addFramework({ ...info, id: info.id }, undefined, this.context.now());
    framework.lifecycle = frameworkLifecycle.must(framework.lifecycle, 'DISCONNECTED');
    this.context.toAllocator('allocator.AddFramework', { framework_id: framework.id, roles: [...framework.roles], active: false });
    this.armFailoverTimeout(framework);
    this.context.changes.frameworkAdded(framework);
    return framework;
  }

  /**
   * Removes the framework for good: its offers go, its tasks are killed on their agents and
   * reported killed, the allocator forgets it, and it moves to the completed list.
   */
  teardown(framework: FrameworkRecord, why: string): void {
    const { state } = this.context;
    framework.lifecycle = frameworkLifecycle.must(framework.lifecycle, 'TEARDOWN');
    this.failoverTimers.get(framework.id)?.cancel();
    this.failoverTimers.delete(framework.id);
    for (const offer of state.offers.ofFramework(framework.id)) this.offers.take(offer.id);
    for (const agent of state.agents.values()) toAgent(this.context, agent, 'agent.ShutdownFramework', { framework_id: { value: framework.id } });
    for (const record of [...framework.tasks.values()]) {
      state.updateTask(record, masterStatus(this.context, { task_id: record.task.task_id, state: 'TASK_KILLED', reason: 'REASON_FRAMEWORK_REMOVED', message: why }));
      record.released = true;
      state.completeTask(record);
    }
    this.context.toAllocator('allocator.RemoveFramework', { framework_id: framework.id });
    if (framework.pid !== undefined) this.context.unlink(framework.pid);
    state.completeFramework(framework, this.context.now());
    this.context.changes.frameworkRemoved(framework);
    this.context.logger.log('info', 'framework torn down', { framework: framework.id, why });
  }

  private admit(info: FrameworkInfo & { id: { value: string } }, suppressed: string[], from: string): void {
    const framework = this.context.state.addFramework(info, from, this.context.now());
    framework.suppressedRoles = suppressed;
    this.context.link(from);
    this.context.toAllocator('allocator.AddFramework', { framework_id: framework.id, roles: [...framework.roles], suppressed_roles: suppressed, active: true });
    this.context.count('master/frameworks_subscribed');
    this.context.changes.frameworkAdded(framework);
    this.context.logger.log('info', 'framework subscribed', { framework: framework.id, name: info.name, pid: from });
    this.sendSubscribed(framework);
  }

  /** A scheduler subscribes with the framework's id: it replaces whichever scheduler it had. */
  private failOver(framework: FrameworkRecord, info: FrameworkInfo & { id: { value: string } }, suppressed: string[], from: string): void {
    const { state } = this.context;
    const old = framework.pid;
    framework.lifecycle = frameworkLifecycle.must(framework.lifecycle, 'NEW_SCHEDULER');
    if (old !== undefined && old !== from) {
      this.context.send(old, 'scheduler.Event', { type: 'ERROR', error: { message: 'Framework failed over: another scheduler subscribed with its id' } });
      this.context.unlink(old);
    }
    this.failoverTimers.get(framework.id)?.cancel();
    this.failoverTimers.delete(framework.id);
    // The new scheduler has never seen the old one's offers.
    this.offers.rescindOfFramework(framework.id);
    state.setSchedulerPid(framework, from);
    framework.info = info;
    framework.roles = new Set(rolesOf(info));
    framework.suppressedRoles = suppressed;
    framework.lifecycle = frameworkLifecycle.must(framework.lifecycle, 'SUBSCRIBED');
    this.context.link(from);
    this.context.toAllocator('allocator.UpdateFramework', { framework_id: framework.id, roles: [...framework.roles], suppressed_roles: suppressed });
    this.context.toAllocator('allocator.SetFrameworkActive', { framework_id: framework.id, active: true });
    this.context.changes.frameworkUpdated(framework);
    this.context.logger.log('info', 'framework failed over', { framework: framework.id, pid: from });
    this.sendSubscribed(framework);
  }

  private armFailoverTimeout(framework: FrameworkRecord): void {
    const seconds = framework.info.failover_timeout ?? 0;
    this.failoverTimers.get(framework.id)?.cancel();
    this.failoverTimers.set(framework.id, this.context.delay(seconds * 1000, () => {
      this.failoverTimers.delete(framework.id);
      if (framework.lifecycle.value === 'disconnected') this.teardown(framework, `the scheduler did not come back within its failover timeout (${seconds} s)`);
    }));
  }

  private sendSubscribed(framework: FrameworkRecord): void {
    toFramework(this.context, framework, {
      type: 'SUBSCRIBED',
      subscribed: {
        framework_id: { value: framework.id },
        heartbeat_interval_seconds: this.context.flags.frameworkHeartbeatMs / 1000,
        master_info: { id: this.context.masterId, hostname: this.context.flags.hostname },
      },
    });
  }

  private refuse(pid: string, message: string): void {
    this.context.count('master/invalid_framework_calls');
    this.context.send(pid, 'scheduler.Event', { type: 'ERROR', error: { message } });
  }
}
