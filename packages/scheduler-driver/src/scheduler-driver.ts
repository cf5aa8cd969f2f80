import { userInfo } from 'node:os';
import { StaticMasterDetector, type MasterDetector } from '@tessera/leader';
import { MemoryNetwork, NatsTransport, Random, Runtime, isValidName, parseUpid, stderrLogger, type Transport } from '@tessera/process';
import type { ExecutorInfo, FrameworkInfo, KillPolicy, TaskInfo } from '@tessera/protocol';
import {
  acceptCall, acknowledgeCall, declineCall, killCall, launchGroupOperation, launchOperation, messageCall, reconcileCall,
  reviveCall, shutdownCall, subscribeCall, suppressCall, teardownCall, updateFrameworkCall, validateCall,
} from './calls.js';
import { NotSubscribedError } from './errors.js';
import { HttpConnector } from './http/http-connector.js';
import { isHttpMaster, schedulerApiUrl } from './http/master-url.js';
import type { ConnectorFactory } from './master-connector.js';
import { SchedulerProcess } from './scheduler-process.js';
import {
  DEFAULT_MASTER, type Call, type CallType, type DriverState, type Filters, type IdLike, type Operation,
  type ReconcileTask, type SchedulerDriverOptions, type StopOptions,
} from './types.js';

const CALLBACKS = ['subscribed', 'offers', 'rescind', 'update', 'message', 'failure', 'error', 'heartbeat', 'disconnected'];

/**
 * The library a framework scheduler uses to talk to the master, as Mesos's `MesosSchedulerDriver`
 * over the v1 Call/Event protocol: `start()` subscribes, callbacks receive events, methods send
 * calls. It re-subscribes on its own when the master goes away, keeping the framework id, so that
 * the framework's tasks survive within `failover_timeout`. Every method checks its call before
 * sending and throws at the caller: `NotSubscribedError` when there is no subscription,
 * `InvalidCallError` when the master would refuse the call. Ids may be strings or `{value}`.
 *
 * ```ts
 * const driver = new SchedulerDriver({ framework: { user: 'me', name: 'hello' }, nats: { servers: 'nats://127.0.0.1:4222' },
 *   scheduler: { offers: (offers) => driver.decline(offers.map((o) => o.id)) } });
 * const frameworkId = await driver.start();
 * ```
 *
 * Given `master: 'http://host:5050'` instead, the driver speaks Mesos's v1 scheduler HTTP API
 * (`POST /api/v1/scheduler`, JSON or protobuf) and needs no NATS: the same callbacks and methods
 * then work against a Tessera master's HTTP endpoint or an Apache Mesos master.
 */
export class SchedulerDriver {
  private runtime: Runtime | undefined;
  private process: SchedulerProcess | undefined;
  private spawnedAs: string | undefined;
  private readonly master: string;
  /** The scheduler API of an HTTP master; undefined when the master is a pid reached over the runtime. */
  private readonly httpApi: URL | undefined;
  private stopped = false;

  constructor(private readonly options: SchedulerDriverOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('SchedulerDriver needs options');
    const { scheduler, runtime, nats, name, detectMaster, detector, implicitAcknowledgements, reconcileOnSubscribe, tasksToReconcile } = options;
    validateCall(subscribeCall(options.framework)); // a bad FrameworkInfo fails here, not at the master
    if (typeof scheduler !== 'object' || scheduler === null) throw new TypeError('options.scheduler must be an object of callbacks');
    for (const cb of CALLBACKS) {
      const fn = (scheduler as Record<string, unknown>)[cb];
      if (fn !== undefined && typeof fn !== 'function') throw new TypeError(`options.scheduler.${cb} must be a function`);
    }
    this.master = options.master ?? DEFAULT_MASTER;
    this.httpApi = isHttpMaster(options.master) ? schedulerApiUrl(options.master) : undefined;
    if (this.httpApi !== undefined) checkHttpOptions(options);
    else {
      if ((runtime === undefined) === (nats === undefined)) throw new TypeError('give exactly one of options.runtime and options.nats (or an HTTP master: options.master \'http://host:port\')');
      if (nats !== undefined && (typeof nats.servers !== 'string' || nats.servers.trim() === '')) throw new TypeError('options.nats.servers must name a NATS server');
      if (parseUpid(this.master) === undefined) throw new TypeError(`options.master '${this.master}' is not a pid (name@node) nor an http:// URL`);
      if (options.contentType !== undefined) throw new TypeError('options.contentType is for an HTTP master (options.master \'http://host:port\')');
    }
    if (name !== undefined && !isValidName(name)) throw new TypeError(`options.name '${name}' is not a valid process name`);
    if (detectMaster !== undefined && typeof detectMaster !== 'function') throw new TypeError('options.detectMaster must be a function');
    if (detector !== undefined) {
      if (typeof detector !== 'object' || detector === null || typeof detector.onChange !== 'function') {
        throw new TypeError('options.detector must be a MasterDetector (leader, onChange, stop)');
      }
      if (options.master !== undefined || detectMaster !== undefined) throw new TypeError('give options.detector alone, without options.master or options.detectMaster');
    }
    if (reconcileOnSubscribe !== undefined && typeof reconcileOnSubscribe !== 'boolean') throw new TypeError('options.reconcileOnSubscribe must be a boolean');
    if (tasksToReconcile !== undefined && typeof tasksToReconcile !== 'function') throw new TypeError('options.tasksToReconcile must be a function');
    if (implicitAcknowledgements !== undefined && typeof implicitAcknowledgements !== 'boolean') {
      throw new TypeError('options.implicitAcknowledgements must be a boolean');
    }
  }

  /** Where the driver is in its life. */
  get state(): DriverState {
    return this.stopped ? 'stopped' : this.process?.driverState ?? 'idle';
  }

  /** The framework id once subscribed (kept across re-subscriptions). */
  get frameworkId(): string | undefined {
    return this.process?.frameworkId;
  }

  /** The driver's pid (`name@node`) once started. */
  get pid(): string | undefined {
    return this.spawnedAs;
  }

  /**
   * Subscribes, retrying with back-off until the master answers. Resolves with the framework id
   * on SUBSCRIBED; rejects with SubscriptionRefusedError carrying the master's message on ERROR.
   */
  async start(): Promise<string> {
    if (this.process !== undefined || this.stopped) throw new Error(`the driver was already ${this.stopped ? 'stopped' : 'started'}`);
    const { options } = this;
    // Claimed before the await, so that a second start() fails instead of building a second runtime.
    const claim = new SchedulerProcess({
      name: options.name ?? 'scheduler',
      framework: withDefaultUser(options.framework),
      scheduler: options.scheduler,
      ...this.masterFinding(),
      implicitAcknowledgements: options.implicitAcknowledgements ?? true,
      reconcileOnSubscribe: options.reconcileOnSubscribe ?? true,
      ...(options.tasksToReconcile === undefined ? {} : { tasksToReconcile: options.tasksToReconcile }),
    });
    this.process = claim;
    try {
      this.runtime = options.runtime ?? (await this.ownRuntime());
      if (this.stopped) throw new Error('the driver was stopped while starting');
      this.spawnedAs = this.runtime.spawn(claim).pid;
    } catch (err) {
      this.process = undefined;
      if (options.runtime === undefined) await this.runtime?.stop();
      this.runtime = undefined;
      throw err;
    }
    return claim.begin();
  }

  /** ACCEPT offers (all from one agent) with operations; what they leave is declined with `filters`. */
  accept(offerIds: readonly IdLike[], operations: readonly Operation[], filters?: Filters): void {
    this.call('ACCEPT', (id) => acceptCall(id, offerIds, operations, filters));
  }

  /** Launches tasks on offers (ACCEPT with one LAUNCH operation). */
  launch(offerIds: readonly IdLike[], tasks: readonly TaskInfo[], filters?: Filters): void {
    this.call('ACCEPT', (id) => acceptCall(id, offerIds, [launchOperation(tasks)], filters));
  }

  /** Launches a task group under one executor, all or nothing (ACCEPT with LAUNCH_GROUP). */
  launchGroup(offerIds: readonly IdLike[], executor: ExecutorInfo, tasks: readonly TaskInfo[], filters?: Filters): void {
    this.call('ACCEPT', (id) => acceptCall(id, offerIds, [launchGroupOperation(executor, tasks)], filters));
  }

  /** Declines offers; `filters.refuse_seconds` keeps their resources away for that long. */
  decline(offerIds: readonly IdLike[], filters?: Filters): void {
    this.call('DECLINE', (id) => declineCall(id, offerIds, filters));
  }

  /** Asks for offers again (for `roles`, or all), clearing filters and suppression. */
  revive(roles?: readonly string[]): void {
    this.call('REVIVE', (id) => reviveCall(id, roles));
    this.process!.noteSuppressed(roles, false);
  }

  /** Stops offers (for `roles`, or all) until revive; kept across re-subscriptions. */
  suppress(roles?: readonly string[]): void {
    this.call('SUPPRESS', (id) => suppressCall(id, roles));
    this.process!.noteSuppressed(roles, true);
  }

  /** Kills a task; give the agent for a task the master may not know. */
  kill(taskId: IdLike, agentId?: IdLike, killPolicy?: KillPolicy): void {
    this.call('KILL', (id) => killCall(id, taskId, agentId, killPolicy));
  }

  /** Shuts an executor down with all its tasks. */
  shutdown(executorId: IdLike, agentId: IdLike): void {
    this.call('SHUTDOWN', (id) => shutdownCall(id, executorId, agentId));
  }

  /** Acknowledges a status update (needed only with `implicitAcknowledgements: false`, for updates with a uuid). */
  acknowledge(agentId: IdLike, taskId: IdLike, uuid: string): void {
    this.call('ACKNOWLEDGE', (id) => acknowledgeCall(id, agentId, taskId, uuid));
  }

  /** Asks for the latest state of the tasks given, or of every task when the list is empty. */
  reconcile(tasks: readonly ReconcileTask[]): void {
    this.call('RECONCILE', (id) => reconcileCall(id, tasks));
  }

  /** Sends data to an executor. */
  message(agentId: IdLike, executorId: IdLike, data: string): void {
    this.call('MESSAGE', (id) => messageCall(id, agentId, executorId, data));
  }

  /** Changes the framework info (its id is kept) and, if given, which roles stay suppressed. */
  updateFramework(info: FrameworkInfo, suppressedRoles?: readonly string[]): void {
    let sent: FrameworkInfo | undefined;
    this.call('UPDATE_FRAMEWORK', (id) => {
      sent = { ...info, id: { value: id } };
      return updateFrameworkCall(id, sent, suppressedRoles);
    });
    this.process!.replaceFramework(sent!, suppressedRoles);
  }

  /** Tears the framework down: the master kills its tasks and forgets it. The driver makes no more calls. */
  teardown(): void {
    this.call('TEARDOWN', (id) => teardownCall(id));
    this.process!.tornDown();
  }

  /**
   * Stops the driver. `failover: false` (the default) tears the framework down first, if it is
   * subscribed; `failover: true` only goes away, leaving the framework to a scheduler that
   * subscribes with its id within `failover_timeout`. An owned runtime is stopped too.
   */
  async stop(options: StopOptions = {}): Promise<void> {
    if (this.stopped) return;
    const process = this.process;
    const runtime = this.runtime;
    if (process !== undefined && options.failover !== true) {
      if (process.driverState === 'subscribed') this.teardown();
      else if (process.frameworkId !== undefined && runtime !== undefined && process.driverState === 'subscribing') {
        runtime.logger.log('warn', `framework ${process.frameworkId} was not torn down: the driver is not subscribed; `
          + 'the master removes it when its failover_timeout runs out', { pid: process.pid });
      }
    }
    this.stopped = true;
    if (process === undefined || runtime === undefined) return;
    process.halt();
    // At once, not after the mailbox: stop() may be awaited inside a callback, which holds the mailbox.
    runtime.terminate(process.pid, { immediately: true });
    // Calls already sent (the TEARDOWN) are answered before the HTTP connections close.
    await process.closeConnector();
    if (this.options.runtime === undefined) await runtime.stop();
    else await runtime.flush();
  }

  private call(type: CallType, build: (frameworkId: string) => Call): void {
    if (this.process === undefined || this.stopped) throw new NotSubscribedError(type, this.state);
    this.process.sendCall(type, build);
  }

  /** How the process finds the master: a connector for an HTTP master, else a detector (or detectMaster) of pids. */
  private masterFinding(): { connector: ConnectorFactory } | { detector: MasterDetector } | { detectMaster: () => Promise<string> } {
    const { httpApi, options } = this;
    if (httpApi !== undefined) return { connector: (context) => new HttpConnector(httpApi, options.contentType ?? 'json', context) };
    if (options.detectMaster !== undefined) return { detectMaster: options.detectMaster };
    // A fixed master is a detector that never changes its mind.
    return { detector: options.detector ?? new StaticMasterDetector(this.master) };
  }

  private async ownRuntime(): Promise<Runtime> {
    const random = Random.fromEntropy();
    const node = `scheduler-${random.token(8)}`;
    const nats = this.options.nats;
    // Over HTTP the runtime only hosts the driver's process: a network of one node is enough.
    const transport: Transport = nats === undefined ? new MemoryNetwork().transport(node) : new NatsTransport({
      node,
      servers: nats.servers.split(',').map((s) => s.trim()).filter((s) => s !== ''),
      ...(nats.cluster === undefined ? {} : { cluster: nats.cluster }),
    });
    return Runtime.create({ transport, random, logger: this.options.logger ?? stderrLogger() });
  }
}

/** The options that make no sense with an HTTP master are refused rather than ignored. */
function checkHttpOptions(options: SchedulerDriverOptions): void {
  if (options.nats !== undefined) throw new TypeError('options.nats is not used with an HTTP master: the driver talks to it over HTTP (give options.runtime only to choose the clock and logger)');
  if (options.detector !== undefined || options.detectMaster !== undefined) {
    throw new TypeError('options.detector and options.detectMaster find masters by pid; an HTTP master is followed through its 307 redirects');
  }
  const { contentType } = options;
  if (contentType !== undefined && contentType !== 'json' && contentType !== 'protobuf') throw new TypeError(`options.contentType must be 'json' or 'protobuf', got ${JSON.stringify(contentType)}`);
}

/** As Mesos's driver: an empty `user` means the user this scheduler runs as. */
function withDefaultUser(framework: FrameworkInfo): FrameworkInfo {
  if (framework.user !== '') return framework;
  try {
    return { ...framework, user: userInfo().username };
  } catch {
    return framework; // no passwd entry (some containers): the master decides
  }
}
