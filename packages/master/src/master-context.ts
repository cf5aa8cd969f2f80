import type { IdGenerator, MessageType, Messages, TaskStatus } from '@tessera/protocol';
import type { Logger, Timer } from '@tessera/process';
import type { MasterFlags } from './master-flags.js';
import type { RegistryOperation } from './registry/registry.js';
import type { AgentRecord, FrameworkRecord, MasterState } from './master-state.js';

/** What the master's parts report for the operator's SUBSCRIBE feed (tasks are observed on the state). */
export interface MasterChanges {
  agentAdded(agent: AgentRecord): void;
  agentRemoved(agentId: string): void;
  frameworkAdded(framework: FrameworkRecord): void;
  frameworkUpdated(framework: FrameworkRecord): void;
  frameworkRemoved(framework: FrameworkRecord): void;
}

export type SchedulerEvent = Messages['scheduler.Event'];
export type AllocatorMessage = Extract<MessageType, `allocator.${string}`>;

/**
 * What the master's parts (agents, frameworks, offers, calls) share: the state, the flags, and
 * the master actor's means to act. Each part is a plain class over this context, so that the
 * actor itself is only the table of handlers.
 */
export interface MasterContext {
  readonly state: MasterState;
  readonly flags: MasterFlags;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly masterId: string;
  now(): number;
  send<K extends MessageType>(to: string, type: K, body: Messages[K]): void;
  toAllocator<K extends AllocatorMessage>(type: K, body: Messages[K]): void;
  link(pid: string): void;
  unlink(pid: string): void;
  delay(ms: number, fn: () => void): Timer;
  /**
   * Stores a registry change and runs `then` in the master's mailbox once it is stored (retrying
   * a failed write until it is): what depends on the change is done only after it is durable.
   */
  store(op: RegistryOperation, then: () => void): void;
  /** Where agent and framework changes are reported (the operator's events). */
  readonly changes: MasterChanges;
  /** Counts an event by its Mesos metric name (`master/...`). */
  count(metric: string, by?: number): void;
}

/** Sends a scheduler event to the framework's scheduler, when it has one connected. */
export function toFramework(context: MasterContext, framework: FrameworkRecord, event: SchedulerEvent): boolean {
  if (framework.pid === undefined) return false;
  context.send(framework.pid, 'scheduler.Event', event);
  return true;
}

/** A status the master makes itself (no uuid: nothing for the framework to acknowledge). */
export function masterStatus(
  context: MasterContext,
  fields: Pick<TaskStatus, 'task_id' | 'state' | 'reason' | 'message'> & Partial<TaskStatus>,
): TaskStatus {
  return { source: 'SOURCE_MASTER', timestamp: context.now() / 1000, ...fields };
}

/** Sends an agent a message if it is reachable at all (registered or merely disconnected). */
export function toAgent<K extends MessageType>(context: MasterContext, agent: AgentRecord, type: K, body: Messages[K]): void {
  if (agent.lifecycle.value === 'registered' || agent.lifecycle.value === 'disconnected') context.send(agent.pid, type, body);
}
