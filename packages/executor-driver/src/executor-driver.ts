import { Process, parseUpid, type ExitReason, type Timer, type UPID } from '@tessera/process';
import {
  updateUuid,
  validateBody,
  type Envelope,
  type KillPolicy,
  type Messages,
  type TaskInfo,
  type TaskStatus,
} from '@tessera/protocol';
import { Backoff, UnacknowledgedBook } from './unacknowledged.js';

/** What SUBSCRIBED tells an executor: its own info, its framework's, its agent's. */
export type SubscribedInfo = NonNullable<Messages['executor.Event']['subscribed']>;

/** A status update as an executor writes it; the driver fills uuid, source, executor_id, timestamp. */
export type StatusUpdate = Omit<TaskStatus, 'uuid' | 'source' | 'executor_id' | 'timestamp'>;

/**
 * What an executor does when its agent tells it something (Mesos's `Executor` interface). Each
 * callback also gets the driver, to answer with status updates. They run in the driver's mailbox,
 * one at a time.
 */
export interface ExecutorCallbacks {
  /** Subscribed (again, after a reconnection) to the agent. */
  subscribed?(info: SubscribedInfo, driver: ExecutorDriver): void;
  /** Run a task; report it with `driver.sendStatusUpdate`. */
  launch(task: TaskInfo, driver: ExecutorDriver): void;
  /** Run a task group (all or nothing, as a pod). Default: `launch` each task. */
  launchGroup?(tasks: TaskInfo[], driver: ExecutorDriver): void;
  /** Kill a task; `killPolicy` from the KILL, when it overrides the task's own. */
  kill(taskId: string, killPolicy: KillPolicy | undefined, driver: ExecutorDriver): void;
  /** The agent has the update `uuid` of `taskId`: it will not be resent. */
  acknowledged?(taskId: string, uuid: string, driver: ExecutorDriver): void;
  /** A framework message (opaque; base64 by Mesos's convention). */
  message?(data: string, driver: ExecutorDriver): void;
  /** Kill every task and exit. Default: the driver stops. */
  shutdown?(driver: ExecutorDriver): void;
  /** The agent reports an error. Default: logged. */
  error?(message: string, driver: ExecutorDriver): void;
}

/** How to build a driver. */
export interface ExecutorDriverOptions {
  /** The process name (default `executor`); the driver subscribes from `name@node`. */
  name?: string;
  /** The agent's pid. */
  agent: UPID;
  frameworkId: string;
  executorId: string;
  callbacks: ExecutorCallbacks;
  /** How long to keep resubscribing after losing the agent before shutting down (default 15 min, Mesos's). */
  recoveryTimeoutMs?: number;
  /** First and last subscription back-off (default 1 s and 30 s). */
  backoffMinMs?: number;
  backoffMaxMs?: number;
}

/** Mesos's `--recovery_timeout` default. */
export const RECOVERY_TIMEOUT_MS = 15 * 60_000;

type Connection = 'subscribing' | 'subscribed' | 'disconnected';

const ID = /^.{1,256}$/s;

/**
 * One executor's link to its agent, as Mesos's v1 executor library: it subscribes on spawn and
 * again (with jittered back-off) until SUBSCRIBED comes back, links the agent and resubscribes
 * when it goes away, and keeps every status update until the agent acknowledges it, resending it
 * on resubscription and every 10 s. Events become calls on the executor's callbacks.
 */
export class ExecutorDriver extends Process {
  readonly agent: UPID;
  readonly frameworkId: string;
  readonly executorId: string;
  private readonly callbacks: ExecutorCallbacks;
  private readonly book = new UnacknowledgedBook();
  private readonly backoff: Backoff;
  private readonly recoveryTimeoutMs: number;
  private connection: Connection = 'subscribing';
  private retryTimer: Timer | undefined;
  private resendTimer: Timer | undefined;
  private recoveryTimer: Timer | undefined;

  constructor(options: ExecutorDriverOptions) {
    super(options.name ?? 'executor');
    if (parseUpid(options.agent) === undefined) throw new Error(`agent '${options.agent}' is not a pid (name@node)`);
    if (!ID.test(options.frameworkId)) throw new Error('frameworkId must be 1 to 256 characters');
    if (!ID.test(options.executorId)) throw new Error('executorId must be 1 to 256 characters');
    this.agent = options.agent;
    this.frameworkId = options.frameworkId;
    this.executorId = options.executorId;
    this.callbacks = options.callbacks;
    this.backoff = new Backoff(options.backoffMinMs, options.backoffMaxMs);
    this.recoveryTimeoutMs = options.recoveryTimeoutMs ?? RECOVERY_TIMEOUT_MS;
  }

  protected initialize(): void {
    this.install('executor.Event', this.onEvent);
    this.subscribe();
  }

  /** True once SUBSCRIBED came back, until the agent is lost. */
  get subscribed(): boolean {
    return this.connection === 'subscribed';
  }

  /**
   * Sends a task's status update and keeps it until the agent acknowledges it. Returns its uuid.
   * While not subscribed it is only kept: it goes out with the next subscription.
   * @throws when the update is malformed (bad state, empty task id, ...).
   */
  sendStatusUpdate(update: StatusUpdate): string {
    const status: TaskStatus = {
      ...update,
      uuid: updateUuid(this.random),
      source: 'SOURCE_EXECUTOR',
      executor_id: { value: this.executorId },
      timestamp: this.clock.now() / 1_000,
    };
    const call = this.call('UPDATE', { update: { status } });
    const checked = validateBody('executor.Call', call);
    if (!checked.ok) throw new Error(`invalid status update of task ${update.task_id?.value}: ${checked.error}`);
    const live = this.connection === 'subscribed';
    this.book.add(status, live ? this.clock.now() : undefined);
    if (live) {
      this.send(this.agent, 'executor.Call', call);
      this.armResend();
    }
    return status.uuid!;
  }

  /** Sends a framework message; best effort as Mesos's: dropped (false) when not subscribed. */
  sendMessage(data: string): boolean {
    if (typeof data !== 'string') throw new Error('a framework message must be a string (base64 by convention)');
    if (this.connection !== 'subscribed') {
      this.logger.log('warn', 'dropped a framework message: not subscribed to the agent', { pid: this.pid, agent: this.agent });
      return false;
    }
    this.send(this.agent, 'executor.Call', this.call('MESSAGE', { message: { data } }));
    return true;
  }

  /** The updates the agent has not acknowledged yet, oldest first. */
  unacknowledgedUpdates(): TaskStatus[] {
    return this.book.statuses();
  }

  /** Stops the driver (its process terminates after the events already queued). */
  stop(): void {
    this.terminate();
  }

  protected override exited(pid: UPID, reason: ExitReason): void {
    if (pid !== this.agent) return;
    this.logger.log('warn', `lost the agent (${reason}): resubscribing`, { pid: this.pid, agent: this.agent, reason });
    this.connection = 'disconnected';
    this.resendTimer?.cancel();
    this.resendTimer = undefined;
    // Mesos's executor gives up after the recovery timeout: its tasks must not run unwatched forever.
    this.recoveryTimer ??= this.delay(this.recoveryTimeoutMs, () => {
      this.logger.log('error', 'the agent did not come back within the recovery timeout: shutting down', { pid: this.pid, agent: this.agent });
      this.onShutdown();
    });
    // A subscription attempt already waiting keeps its turn: re-arming would double the back-off twice.
    if (this.retryTimer === undefined) this.armRetry();
  }

  private onEvent = (event: Messages['executor.Event'], message: Envelope<'executor.Event'>): void => {
    if (message.from !== this.agent) {
      this.logger.log('warn', `ignored ${event.type} from ${message.from}: not my agent`, { pid: this.pid, from: message.from, agent: this.agent });
      return;
    }
    switch (event.type) {
      case 'SUBSCRIBED': return this.onSubscribed(event);
      case 'LAUNCH': return this.onLaunch(event);
      case 'LAUNCH_GROUP': return this.onLaunchGroup(event);
      case 'KILL': return this.onKill(event);
      case 'ACKNOWLEDGED': return this.onAcknowledged(event);
      case 'MESSAGE': return this.callbacks.message?.(required(event, 'message').data, this);
      case 'ERROR': return this.onError(required(event, 'error').message);
      case 'SHUTDOWN': return this.onShutdown();
      case 'HEARTBEAT': return this.onHeartbeat();
    }
  };

  /**
   * A restarted agent asks its recovered executors to subscribe again with a HEARTBEAT (Mesos's
   * ReconnectExecutorMessage): at once, not at the next back-off, which may be many seconds out.
   * A restart quicker than node-loss detection leaves the driver thinking it is subscribed: it
   * subscribes all the same, and links the new agent afresh.
   */
  private onHeartbeat(): void {
    this.logger.log('info', 'the agent asks for a new subscription', { pid: this.pid, agent: this.agent });
    this.unlink(this.agent);
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    if (this.connection === 'subscribed') this.connection = 'subscribing';
    this.subscribe();
  }

  private onSubscribed(event: Messages['executor.Event']): void {
    const info = required(event, 'subscribed');
    this.connection = 'subscribed';
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    this.recoveryTimer?.cancel();
    this.recoveryTimer = undefined;
    this.backoff.reset();
    // Also in the SUBSCRIBE, as Mesos's; sent again as UPDATEs so that they arrive whatever the
    // agent does with a subscription's replay. The agent drops duplicates by uuid.
    for (const status of this.book.resendAll(this.clock.now())) this.send(this.agent, 'executor.Call', this.call('UPDATE', { update: { status } }));
    this.armResend();
    this.callbacks.subscribed?.(info, this);
  }

  private onLaunch(event: Messages['executor.Event']): void {
    const { task } = required(event, 'launch');
    this.book.launched(task);
    this.callbacks.launch(task, this);
  }

  private onLaunchGroup(event: Messages['executor.Event']): void {
    const { tasks } = required(event, 'launch_group').task_group;
    for (const task of tasks) this.book.launched(task);
    if (this.callbacks.launchGroup !== undefined) this.callbacks.launchGroup(tasks, this);
    else for (const task of tasks) this.callbacks.launch(task, this);
  }

  private onKill(event: Messages['executor.Event']): void {
    const kill = required(event, 'kill');
    this.callbacks.kill(kill.task_id.value, kill.kill_policy, this);
  }

  private onAcknowledged(event: Messages['executor.Event']): void {
    const { task_id, uuid } = required(event, 'acknowledged');
    if (!this.book.acknowledge(task_id.value, uuid)) {
      this.logger.log('debug', `ignored an acknowledgement of an unknown update ${uuid} of task ${task_id.value}`, { pid: this.pid });
      return;
    }
    if (this.book.size === 0) {
      this.resendTimer?.cancel();
      this.resendTimer = undefined;
    }
    this.callbacks.acknowledged?.(task_id.value, uuid, this);
  }

  private onError(text: string): void {
    if (this.callbacks.error !== undefined) this.callbacks.error(text, this);
    else this.logger.log('error', `the agent reports an error: ${text}`, { pid: this.pid, agent: this.agent });
  }

  private onShutdown(): void {
    if (this.callbacks.shutdown !== undefined) this.callbacks.shutdown(this);
    else this.stop();
  }

  /** Sends SUBSCRIBE with what must be replayed, and retries it unless SUBSCRIBED comes back. */
  private subscribe(): void {
    if (this.connection !== 'subscribed') this.connection = 'subscribing';
    this.link(this.agent);
    this.send(this.agent, 'executor.Call', this.call('SUBSCRIBE', {
      subscribe: {
        unacknowledged_tasks: this.book.unacknowledgedTasks(),
        unacknowledged_updates: this.book.statuses().map((status) => ({ status })),
      },
    }));
    this.armRetry();
  }

  private armRetry(): void {
    this.retryTimer?.cancel();
    this.retryTimer = this.delay(this.backoff.next(this.random.next()), () => {
      this.retryTimer = undefined;
      if (this.connection !== 'subscribed') this.subscribe();
    });
  }

  /** One timer for every unacknowledged update, set for the earliest due. */
  private armResend(): void {
    if (this.resendTimer !== undefined) return;
    const dueAt = this.book.nextDueAt();
    if (dueAt === undefined) return;
    this.resendTimer = this.delay(Math.max(0, dueAt - this.clock.now()), () => {
      this.resendTimer = undefined;
      if (this.connection !== 'subscribed') return;
      for (const status of this.book.due(this.clock.now())) this.send(this.agent, 'executor.Call', this.call('UPDATE', { update: { status } }));
      this.armResend();
    });
  }

  private call(type: Messages['executor.Call']['type'], payload: Partial<Messages['executor.Call']>): Messages['executor.Call'] {
    return { executor_id: { value: this.executorId }, framework_id: { value: this.frameworkId }, type, ...payload };
  }
}

/** The payload of an event's type; the schema leaves it optional, so a missing one is refused here. */
function required<F extends keyof Messages['executor.Event']>(event: Messages['executor.Event'], field: F): NonNullable<Messages['executor.Event'][F]> {
  const value = event[field];
  if (value === undefined || value === null) throw new Error(`${event.type} event without its '${String(field)}' payload`);
  return value as NonNullable<Messages['executor.Event'][F]>;
}
