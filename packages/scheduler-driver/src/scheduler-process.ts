import { LeaderTracker, type MasterDetector } from '@tessera/leader';
import { Process, parseUpid, type ExitReason, type Timer, type UPID } from '@tessera/process';
import type { Envelope, FrameworkInfo, LeaderRecord, Messages, TaskStatus } from '@tessera/protocol';
import { acknowledgeCall, subscribeCall, validateCall } from './calls.js';
import { runCallback } from './callbacks.js';
import { NotSubscribedError, SubscriptionRefusedError, DriverStoppedError } from './errors.js';
import { nextState, subscribeBackoff, type DriverInput } from './lifecycle.js';
import type { ConnectorFactory, MasterConnector } from './master-connector.js';
import { reconcileCallsAfterSubscribe } from './reconciliation.js';
import {
  DEFAULT_HEARTBEAT_SECONDS, MISSED_HEARTBEATS, type Call, type CallType, type DriverState, type Event, type ReconcileTask, type Scheduler,
} from './types.js';

/** What the driver hands its process. */
export interface SchedulerProcessConfig {
  name: string;
  framework: FrameworkInfo;
  scheduler: Scheduler;
  /** Who leads, followed through its changes; exactly one of `detector` and `detectMaster`. */
  detector?: MasterDetector;
  /** Asked before every SUBSCRIBE; its answer is believed as the leader at the known epoch. */
  detectMaster?: () => Promise<string>;
  implicitAcknowledgements: boolean;
  reconcileOnSubscribe: boolean;
  tasksToReconcile?: () => readonly ReconcileTask[] | Promise<readonly ReconcileTask[]>;
  /** A transport outside the runtime (HTTP); without it, calls and events are the runtime's messages. */
  connector?: ConnectorFactory;
}

/**
 * The driver's actor: follows the leading master, subscribes (and re-subscribes) with it, turns
 * each `scheduler.Event` into a callback, sends the calls the driver builds, and reconciles after
 * every SUBSCRIBED. A LeaderTracker is the one rule for events: only from the leader's pid with
 * its epoch or a later one (a later epoch makes its sender the leader); a deposed leader's
 * events, and a late answer from a master the driver has left, are ignored. With a connector
 * (HTTP), the connector is the master: it filters stale streams, and a stream that ends is a
 * master lost.
 */
export class SchedulerProcess extends Process {
  private state: DriverState = 'idle';
  private framework: FrameworkInfo;
  private readonly suppressed = new Set<string>();
  /** The master SUBSCRIBE last went to. */
  private master: UPID | undefined;
  /** Who leads, as the detector, NotLeader answers and epochs on events say. */
  private readonly tracker = new LeaderTracker();
  /** False while the detector knows no leader: the driver waits instead of retrying. */
  private leaderKnown = false;
  private unwatch: (() => void) | undefined;
  private linked: UPID | undefined;
  private everSubscribed = false;
  /** SUBSCRIBE retries since the last SUBSCRIBED: the back-off exponent. */
  private attempt = 0;
  /** Bumped when a subscription round begins or ends, so that stale detections and retries do nothing. */
  private round = 0;
  private retryTimer: Timer | undefined;
  private watchdog: Timer | undefined;
  private silenceLimitMs = MISSED_HEARTBEATS * DEFAULT_HEARTBEAT_SECONDS * 1_000;
  private lastHeard = 0;
  private starting: { resolve: (id: string) => void; reject: (err: Error) => void } | undefined;
  private connector: MasterConnector | undefined;

  constructor(private readonly config: SchedulerProcessConfig) {
    super(config.name);
    this.framework = config.framework;
  }

  protected initialize(): void {
    this.install('scheduler.Event', this.onEvent);
    this.install('master.NotLeader', this.onNotLeader);
    if (this.config.connector !== undefined) this.connector = this.buildConnector(this.config.connector);
  }

  /** Where the driver is in its life. */
  get driverState(): DriverState {
    return this.state;
  }

  /** The framework id, once the master has given (or confirmed) it. */
  get frameworkId(): string | undefined {
    return this.everSubscribed ? this.framework.id?.value : undefined;
  }

  /** Starts subscribing; resolves with the framework id on SUBSCRIBED, rejects on ERROR or stop. */
  begin(): Promise<string> {
    const started = new Promise<string>((resolve, reject) => { this.starting = { resolve, reject }; });
    this.move('start');
    this.watchDetector();
    this.startRound();
    return started;
  }

  /** Builds a call with the framework id, checks it and sends it to the master; throws when not subscribed or invalid. */
  sendCall(type: CallType, build: (frameworkId: string) => Call): void {
    const frameworkId = this.frameworkId;
    const reachable = this.connector !== undefined || this.master !== undefined;
    if (this.state !== 'subscribed' || frameworkId === undefined || !reachable) throw new NotSubscribedError(type, this.state);
    const call = validateCall(build(frameworkId));
    if (this.connector !== undefined) this.connector.call(call);
    else this.send(this.master!, 'scheduler.Call', call);
  }

  /** Remembers suppressed roles, so that a re-subscription keeps them suppressed. */
  noteSuppressed(roles: readonly string[] | undefined, suppressed: boolean): void {
    const all = roles ?? this.framework.roles ?? [];
    if (!suppressed && roles === undefined) this.suppressed.clear();
    for (const role of all) {
      if (suppressed) this.suppressed.add(role);
      else this.suppressed.delete(role);
    }
  }

  /** The framework info (keeping its id) and suppressed roles a later re-subscription sends. */
  replaceFramework(framework: FrameworkInfo, suppressedRoles: readonly string[] | undefined): void {
    this.framework = framework;
    if (suppressedRoles === undefined) return;
    this.suppressed.clear();
    for (const role of suppressedRoles) this.suppressed.add(role);
  }

  /** After TEARDOWN was sent: no more calls, no re-subscription. */
  tornDown(): void {
    if (!this.move('teardown')) return;
    this.quiesce();
    this.stopWatching();
  }

  /** The driver stops: timers cancelled, a pending start() rejected. */
  halt(): void {
    if (!this.move('stop')) return;
    this.quiesce();
    this.stopWatching();
    this.starting?.reject(new DriverStoppedError());
    this.starting = undefined;
  }

  /** After halt(): closes the connector's connections once the calls already sent are answered. */
  async closeConnector(): Promise<void> {
    await this.connector?.close();
  }

  protected override exited(pid: UPID, reason: ExitReason): void {
    if (pid !== this.linked) return;
    this.linked = undefined;
    // Through the mailbox, so that the `disconnected` callback (maybe async) holds later events back.
    this.delay(0, () => this.loseMaster(`master ${pid} exited (${reason})`));
  }

  private onEvent = (event: Event, message: Envelope<'scheduler.Event'>): void | Promise<void> => {
    const verdict = this.tracker.admits(message.from, message.epoch);
    if (!verdict.ok) {
      this.logger.log(message.epoch !== undefined && message.epoch < this.tracker.epoch ? 'info' : 'debug',
        `ignored ${event.type} from ${message.from}: ${verdict.why}`, { pid: this.pid });
      return;
    }
    const answersOurSubscribe = event.type === 'SUBSCRIBED' && message.from === this.master && this.state === 'subscribing';
    if (verdict.changed) {
      this.leaderKnown = true;
      // A later epoch than any seen: its sender won an election the detector has not reported yet.
      if (!answersOurSubscribe) return this.followLeader(`${message.from} leads at epoch ${this.tracker.epoch} (its ${event.type} says so)`);
    }
    if (message.from !== this.master) {
      this.logger.log('debug', `ignored ${event.type} from ${message.from}: not the master this driver subscribed with`, { pid: this.pid });
      return;
    }
    return this.onMasterEvent(event);
  };

  /** An event from the master this driver subscribed with (checked by the caller, or by the connector). */
  private onMasterEvent(event: Event): void | Promise<void> {
    this.lastHeard = this.clock.now();
    if (event.type === 'SUBSCRIBED') return this.onSubscribed(event);
    if (event.type === 'ERROR') return this.onError(event);
    if (this.state !== 'subscribed') {
      this.logger.log('debug', `dropped ${event.type}: the driver is ${this.state}`, { pid: this.pid });
      return;
    }
    // Only a callback that returns a promise makes the handler hold the mailbox.
    const outcome = this.deliver(event);
    if (outcome instanceof Promise) return outcome.then(() => undefined);
    return undefined;
  }

  /** Hands an event to its callback. */
  private deliver(event: Event): unknown {
    const cb = this.config.scheduler;
    switch (event.type) {
      case 'HEARTBEAT': return this.invoke('heartbeat', () => cb.heartbeat?.());
      case 'OFFERS': return this.has(event, 'offers') && this.invoke('offers', () => cb.offers?.(event.offers!.offers));
      case 'RESCIND': return this.has(event, 'rescind') && this.invoke('rescind', () => cb.rescind?.(event.rescind!.offer_id.value));
      case 'UPDATE': return this.has(event, 'update') && this.onUpdate(event.update!.status);
      case 'FAILURE': return this.has(event, 'failure') && this.invoke('failure', () => cb.failure?.(event.failure!));
      case 'MESSAGE': {
        const m = event.message!;
        return this.has(event, 'message') && this.invoke('message', () => cb.message?.(m.agent_id.value, m.executor_id.value, m.data));
      }
    }
    return undefined;
  }

  private async onSubscribed(event: Event): Promise<void> {
    if (!this.has(event, 'subscribed') || this.state !== 'subscribing') return; // a duplicate answer to a retried SUBSCRIBE
    const payload = event.subscribed!;
    this.move('subscribed');
    this.endRound();
    const reconnected = this.everSubscribed;
    this.everSubscribed = true;
    this.framework = { ...this.framework, id: { value: payload.framework_id.value } };
    if (this.connector === undefined) {
      this.linked = this.master!;
      this.link(this.linked);
    }
    const seconds = payload.heartbeat_interval_seconds;
    const interval = seconds !== undefined && Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_HEARTBEAT_SECONDS;
    this.silenceLimitMs = MISSED_HEARTBEATS * interval * 1_000;
    this.armWatchdog(this.silenceLimitMs);
    this.logger.log('info', `subscribed as framework ${payload.framework_id.value}`, { pid: this.pid, master: this.masterAddress, reconnected });
    this.starting?.resolve(payload.framework_id.value);
    this.starting = undefined;
    const info = payload.master_info === undefined ? { reconnected } : { reconnected, masterId: payload.master_info.id };
    await this.invoke('subscribed', () => this.config.scheduler.subscribed?.(payload.framework_id.value, info));
    // After the callback, in the same turn of the mailbox: the answers come after it returned.
    if (this.config.reconcileOnSubscribe) await this.reconcile();
  }

  /** RECONCILE, explicit for the framework's tasks then implicit, with the master just subscribed to. */
  private async reconcile(): Promise<void> {
    const master = this.master;
    let tasks: readonly ReconcileTask[] = [];
    if (this.config.tasksToReconcile !== undefined) {
      try {
        tasks = await this.config.tasksToReconcile();
        if (!Array.isArray(tasks)) throw new TypeError(`it returned ${typeof tasks}, not an array`);
      } catch (err) {
        this.logger.log('error', `tasksToReconcile failed, reconciling implicitly only: ${(err as Error)?.message ?? String(err)}`, { pid: this.pid });
        tasks = [];
      }
    }
    // The subscription may have ended while tasksToReconcile ran (stop, teardown).
    if (this.state !== 'subscribed' || this.master !== master) return;
    let calls: Call[];
    try {
      calls = reconcileCallsAfterSubscribe(this.framework.id!.value, tasks);
    } catch (err) {
      this.logger.log('error', `tasksToReconcile named a bad task, reconciling implicitly only: ${(err as Error).message}`, { pid: this.pid });
      calls = reconcileCallsAfterSubscribe(this.framework.id!.value, []);
    }
    for (const call of calls) this.sendCall('RECONCILE', () => call);
    this.logger.log('debug', `reconciling ${tasks.length} task(s) explicitly and all implicitly`, { pid: this.pid, master });
  }

  /** A standby answered: follow the leader it names if that is news, else wait for the detector (or the retry). */
  private onNotLeader = (body: Messages['master.NotLeader'], message: Envelope<'master.NotLeader'>): void | Promise<void> => {
    if (message.from !== this.master || (this.state !== 'subscribing' && this.state !== 'subscribed')) return;
    const named = body.leader;
    if (named !== undefined && named.epoch > this.tracker.epoch) {
      this.tracker.learn(named);
      this.leaderKnown = true;
      return this.followLeader(`${message.from} is not the leader (${body.refused}); it names ${named.pid} at epoch ${named.epoch}`);
    }
    this.logger.log('info', `${message.from} is not the leader (${body.refused}); waiting for the detector`, { pid: this.pid });
    // Subscribed to a master that stepped down: re-subscribe (the retries back off until a leader is reported).
    if (this.state === 'subscribed') return this.loseMaster(`${message.from} is not the leader any more`);
  };

  private async onError(event: Event): Promise<void> {
    const text = event.error?.message ?? 'the master sent ERROR without a message';
    if (!this.move('refused')) return;
    this.quiesce();
    this.stopWatching();
    this.logger.log('error', `the master refused the framework: ${text}`, { pid: this.pid, master: this.masterAddress });
    this.starting?.reject(new SubscriptionRefusedError(text));
    this.starting = undefined;
    await this.invoke('error', () => this.config.scheduler.error?.(text));
  }

  private onUpdate(status: TaskStatus): void | Promise<void> {
    const handled = this.invoke('update', () => this.config.scheduler.update?.(status));
    if (typeof handled === 'boolean') return this.acknowledgeIfDue(status, handled);
    return handled.then((ok) => this.acknowledgeIfDue(status, ok));
  }

  private acknowledgeIfDue(status: TaskStatus, handled: boolean): void {
    if (!handled || !this.config.implicitAcknowledgements || status.uuid === undefined) return;
    // Not subscribed any more: the agent resends the update, and it is acknowledged then.
    if (this.state !== 'subscribed') return;
    if (status.agent_id === undefined) {
      this.logger.log('warn', `cannot acknowledge the update of task ${status.task_id.value}: it names no agent`, { pid: this.pid });
      return;
    }
    const { agent_id, task_id, uuid } = status;
    this.sendCall('ACKNOWLEDGE', (id) => acknowledgeCall(id, agent_id, task_id, uuid));
  }

  private invoke(name: string, callback: () => unknown): boolean | Promise<boolean> {
    return runCallback(name, callback, (which, err) => {
      this.logger.log('error', `the scheduler's ${which} callback failed: ${(err as Error)?.message ?? String(err)}`, {
        pid: this.pid, stack: (err as Error)?.stack,
      });
    });
  }

  private has(event: Event, field: keyof Event): boolean {
    if (event[field] !== undefined) return true;
    this.logger.log('warn', `dropped ${event.type} without its '${field}' payload`, { pid: this.pid, master: this.master });
    return false;
  }

  /** Listens to the detector (through the mailbox, so that handler order holds) and takes its leader now. */
  private watchDetector(): void {
    const detector = this.config.detector;
    if (detector === undefined) {
      this.leaderKnown = true; // detectMaster is asked before every SUBSCRIBE instead
      return;
    }
    this.unwatch = detector.onChange((leader) => {
      if (this.state === 'stopped') return;
      this.delay(0, () => this.onLeaderReport(leader));
    });
    const now = detector.leader;
    if (now === undefined) return;
    this.tracker.learn(now);
    this.leaderKnown = true;
  }

  private stopWatching(): void {
    this.unwatch?.();
    this.unwatch = undefined;
  }

  /** What the detector says: none (wait), a stale epoch (ignore), or a new leader or epoch (subscribe there). */
  private async onLeaderReport(leader: LeaderRecord | undefined): Promise<void> {
    if (this.state !== 'subscribing' && this.state !== 'subscribed') return;
    if (leader === undefined) {
      if (!this.leaderKnown) return;
      this.leaderKnown = false;
      this.logger.log('info', 'the detector knows no leader; waiting for one', { pid: this.pid, master: this.master });
      if (this.state === 'subscribed') return this.loseMaster('the detector knows no leader');
      return this.endRound();
    }
    if (leader.epoch < this.tracker.epoch) {
      this.logger.log('info', `ignored the detector's leader ${leader.pid}: stale epoch ${leader.epoch} (the leader's is ${this.tracker.epoch})`, { pid: this.pid });
      return;
    }
    if (!this.tracker.learn(leader) && this.leaderKnown) return;
    this.leaderKnown = true;
    return this.followLeader(`the detector names ${leader.pid} at epoch ${leader.epoch}`);
  }

  /** The leader changed: subscribe with it at once, as after a disconnection when subscribed. */
  private async followLeader(why: string): Promise<void> {
    if (this.state === 'subscribed') return this.loseMaster(`a new leader: ${why}`);
    if (this.state !== 'subscribing') return;
    this.logger.log('info', `following a new leader: ${why}`, { pid: this.pid });
    this.startRound();
  }

  private async loseMaster(why: string): Promise<void> {
    if (!this.move('master-lost')) return;
    this.logger.log('warn', `lost the master: ${why}; re-subscribing`, { pid: this.pid, master: this.masterAddress });
    this.quiesce();
    await this.invoke('disconnected', () => this.config.scheduler.disconnected?.());
    if (this.state === 'subscribing') this.startRound();
  }

  // Any event is proof of life; the watchdog wakes once per silence limit, not once per event.
  private armWatchdog(ms: number): void {
    this.watchdog?.cancel();
    this.watchdog = this.delay(ms, async () => {
      this.watchdog = undefined;
      if (this.state !== 'subscribed') return;
      const silent = this.clock.now() - this.lastHeard;
      if (silent >= this.silenceLimitMs) await this.loseMaster(`no event for ${silent} ms (${MISSED_HEARTBEATS} heartbeats)`);
      else this.armWatchdog(this.silenceLimitMs - silent);
    });
  }

  private startRound(): void {
    this.retryTimer?.cancel();
    this.round += 1;
    this.attempt = 0;
    this.attemptSubscribe(this.round);
  }

  /** Sends SUBSCRIBE to the leader and arms the retry; with no leader known, waits for the detector. */
  private attemptSubscribe(round: number): void {
    if (round !== this.round || this.state !== 'subscribing') return;
    if (this.connector !== undefined) {
      this.connector.subscribe(this.currentSubscribeCall());
      return this.scheduleRetry(round);
    }
    if (this.config.detectMaster !== undefined) return this.detectThenSubscribe(round, this.config.detectMaster);
    if (!this.leaderKnown || this.tracker.pid === undefined) {
      this.logger.log('info', 'no leading master known; waiting for the detector', { pid: this.pid });
      return;
    }
    this.subscribeTo(round, this.tracker.pid);
  }

  /** Asks detectMaster, then sends SUBSCRIBE and arms the retry; every step checks it is still current. */
  private detectThenSubscribe(round: number, detectMaster: () => Promise<string>): void {
    let detection: Promise<string>;
    try {
      detection = Promise.resolve(detectMaster());
    } catch (err) {
      detection = Promise.reject(err);
    }
    // The detection settles outside the mailbox: step back in before acting.
    const resume = (step: () => void): void => {
      if (round === this.round && this.state === 'subscribing') this.delay(0, () => { if (round === this.round) step(); });
    };
    detection.then(
      (pid) => resume(() => {
        // detectMaster knows no epochs: its answer is the leader at the epoch already known.
        if (typeof pid === 'string') this.tracker.learn({ pid, epoch: this.tracker.epoch, contender: 'detectMaster', lease_ms: 1 });
        this.subscribeTo(round, pid);
      }),
      (err) => resume(() => {
        this.logger.log('warn', `master detection failed: ${(err as Error)?.message ?? String(err)}`, { pid: this.pid });
        this.scheduleRetry(round);
      }),
    );
  }

  private subscribeTo(round: number, master: string): void {
    if (typeof master !== 'string' || parseUpid(master) === undefined) {
      this.logger.log('error', `master detection gave '${String(master)}', which is not a pid (name@node)`, { pid: this.pid });
      return this.scheduleRetry(round);
    }
    this.master = master;
    this.send(master, 'scheduler.Call', this.currentSubscribeCall());
    this.scheduleRetry(round);
  }

  /** SUBSCRIBE with the framework as it is now (its id once known) and the roles it keeps suppressed. */
  private currentSubscribeCall(): Call {
    // Only roles the framework still has: the master refuses to suppress a role it is not in.
    const roles = new Set(this.framework.roles ?? []);
    const suppressed = [...this.suppressed].filter((role) => roles.has(role));
    return validateCall(subscribeCall(this.framework, suppressed));
  }

  private scheduleRetry(round: number): void {
    const ms = subscribeBackoff(this.attempt, () => this.random.next());
    this.attempt += 1;
    this.retryTimer = this.delay(ms, () => {
      this.retryTimer = undefined;
      this.attemptSubscribe(round);
    });
  }

  private endRound(): void {
    this.round += 1;
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
  }

  /** Stops every timer and the link to the master. */
  private quiesce(): void {
    this.endRound();
    this.watchdog?.cancel();
    this.watchdog = undefined;
    if (this.linked !== undefined) this.unlink(this.linked);
    this.linked = undefined;
    this.connector?.disconnect();
  }

  /** Where the master is, for logs: its pid, or the connector's address. */
  private get masterAddress(): string | undefined {
    return this.connector?.address ?? this.master;
  }

  /** The connector reports through the mailbox, so that its events keep their order with timers and calls. */
  private buildConnector(factory: ConnectorFactory): MasterConnector {
    return factory({
      events: {
        event: (event) => this.onMasterEvent(event),
        streamEnded: (why) => {
          if (this.state === 'subscribed') return this.loseMaster(why);
          this.logger.log('debug', `${why} (the driver is ${this.state})`, { pid: this.pid });
          return undefined;
        },
        refused: (message) => this.onError({ type: 'ERROR', error: { message } }),
      },
      enter: (fn) => {
        try {
          this.whenSettled(Promise.resolve(), () => fn());
        } catch {
          // The process has terminated: nobody is left to tell.
        }
      },
      logger: this.logger,
      clock: this.clock,
      pid: this.pid,
    });
  }

  private move(input: DriverInput): boolean {
    const next = nextState(this.state, input);
    if (next === undefined) return false;
    this.state = next;
    return true;
  }
}
