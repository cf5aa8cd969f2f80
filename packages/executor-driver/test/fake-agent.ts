import { Process, type UPID } from '@tessera/process';
import type { Messages, TaskInfo, TaskState, TaskStatus } from '@tessera/protocol';

type Call = Messages['executor.Call'];
type Event = Messages['executor.Event'];

/**
 * Stands in for an agent: records every executor Call with its sender, answers SUBSCRIBE with
 * SUBSCRIBED and acknowledges every UPDATE (each can be turned off), and sends Events on demand.
 */
export class FakeAgent extends Process {
  readonly calls: { from: UPID; call: Call; at: number }[] = [];
  autoSubscribe = true;
  autoAcknowledge = true;
  /** The framework's capabilities in SUBSCRIBED; by default it understands TASK_KILLING. */
  frameworkCapabilities: string[] = ['TASK_KILLING_STATE'];

  protected initialize(): void {
    this.install('executor.Call', this.onCall);
  }

  private onCall = (call: Call, message: { from: UPID }): void => {
    this.calls.push({ from: message.from, call, at: this.clock.now() });
    if (call.type === 'SUBSCRIBE' && this.autoSubscribe) this.event(message.from, subscribed(call, this.frameworkCapabilities));
    if (call.type === 'UPDATE' && this.autoAcknowledge) this.acknowledge(message.from, call.update!.status);
  };

  event(to: UPID, event: Event): void {
    this.send(to, 'executor.Event', event);
  }

  acknowledge(to: UPID, status: TaskStatus): void {
    this.event(to, { type: 'ACKNOWLEDGED', acknowledged: { task_id: status.task_id, uuid: status.uuid! } });
  }

  launch(to: UPID, task: TaskInfo): void {
    this.event(to, { type: 'LAUNCH', launch: { task } });
  }

  launchGroup(to: UPID, tasks: TaskInfo[]): void {
    this.event(to, { type: 'LAUNCH_GROUP', launch_group: { task_group: { tasks } } });
  }

  kill(to: UPID, taskId: string, graceMs?: number): void {
    const kill_policy = graceMs === undefined ? undefined : { grace_period: { nanoseconds: graceMs * 1_000_000 } };
    this.event(to, { type: 'KILL', kill: { task_id: { value: taskId }, ...(kill_policy === undefined ? {} : { kill_policy }) } });
  }

  shutdown(to: UPID): void {
    this.event(to, { type: 'SHUTDOWN' });
  }

  callsOf(type: Call['type']): { from: UPID; call: Call; at: number }[] {
    return this.calls.filter((c) => c.call.type === type);
  }

  /** Every UPDATE received, resends included, in arrival order. */
  updates(): TaskStatus[] {
    return this.callsOf('UPDATE').map((c) => c.call.update!.status);
  }

  /** The states reported for a task, each update once (resends dropped by uuid, as an agent does). */
  states(taskId: string): TaskState[] {
    const seen = new Set<string>();
    const out: TaskState[] = [];
    for (const s of this.updates()) {
      if (s.task_id.value !== taskId || seen.has(s.uuid!)) continue;
      seen.add(s.uuid!);
      out.push(s.state);
    }
    return out;
  }

  /** The latest update of a task. */
  last(taskId: string): TaskStatus | undefined {
    return this.updates().filter((s) => s.task_id.value === taskId).at(-1);
  }
}

function subscribed(call: Call, capabilities: string[]): Event {
  return {
    type: 'SUBSCRIBED',
    subscribed: {
      executor_info: { executor_id: call.executor_id, framework_id: call.framework_id },
      framework_info: { user: 'root', name: 'test-framework', id: call.framework_id, capabilities: capabilities.map((type) => ({ type })) },
      agent_info: { hostname: 'localhost', resources: [], id: { value: 'agent-1' } },
    },
  };
}

/** A command task as a framework would launch it. */
export function commandTask(id: string, command: string | undefined, extra: Partial<TaskInfo> = {}): TaskInfo {
  return {
    name: id,
    task_id: { value: id },
    agent_id: { value: 'agent-1' },
    resources: [],
    ...(command === undefined ? {} : { command: { value: command } }),
    ...extra,
  };
}
