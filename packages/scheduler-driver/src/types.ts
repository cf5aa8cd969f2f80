import type { FrameworkInfo, Id, Messages, Offer, TaskStatus } from '@tessera/protocol';
import type { Logger, Runtime } from '@tessera/process';
import type { MasterDetector } from '@tessera/leader';

/** A `scheduler.Call` as sent to the master. */
export type Call = Messages['scheduler.Call'];
/** A `scheduler.Event` as sent by the master. */
export type Event = Messages['scheduler.Event'];
/** What a Call's `type` may be. */
export type CallType = Call['type'];
/** What an Event's `type` may be. */
export type EventType = Event['type'];
/** An offer operation (LAUNCH, LAUNCH_GROUP, RESERVE, UNRESERVE). */
export type Operation = NonNullable<Call['accept']>['operations'][number];
/** Offer filters: `refuse_seconds` is how long the master should not re-offer declined resources. */
export type Filters = NonNullable<NonNullable<Call['decline']>['filters']>;
/** The payload of a FAILURE event: an agent was lost, or an executor exited (with `status`). */
export type FailureInfo = NonNullable<Event['failure']>;

/** An id as the driver accepts it: a plain string, or Mesos's `{value}` wrapper. */
export type IdLike = string | Id;

/** One task to reconcile; a TaskStatus fits as it is. */
export interface ReconcileTask {
  task_id: IdLike;
  agent_id?: IdLike;
}

/** Where the driver is in its life (see README for the diagram). */
export type DriverState =
  | 'idle' // constructed, start() not called
  | 'subscribing' // SUBSCRIBE sent (first time, or again after the master was lost), waiting for SUBSCRIBED
  | 'subscribed' // the master accepts calls from this driver
  | 'aborted' // the master sent ERROR: it will not take this framework (torn down, invalid info, replaced)
  | 'torn-down' // teardown() was called: the framework and its tasks are gone
  | 'stopped'; // stop() was called

/**
 * The framework's callbacks, as Mesos's `Scheduler` interface. All are optional. They run one at
 * a time in event order inside the driver's process; a callback that returns a promise holds the
 * next event back until it settles. Ids reach callbacks as plain strings, structures as the wire
 * objects. A callback that throws is logged; for `update` it also suppresses the implicit
 * acknowledgement, so that the agent sends the update again (delivery is at least once).
 */
export interface Scheduler {
  /** The master accepted the subscription; `reconnected` when this driver had been subscribed before. */
  subscribed?(frameworkId: string, info: { reconnected: boolean; masterId?: string }): void | Promise<void>;
  /** New resource offers. Accept, launch on or decline each; an unanswered offer is held until rescinded. */
  offers?(offers: Offer[]): void | Promise<void>;
  /** An offer is no longer valid (its agent went away, it timed out, or another framework's need came first). */
  rescind?(offerId: string): void | Promise<void>;
  /** A task changed state. With implicit acknowledgements the driver acknowledges it once this returns. */
  update?(status: TaskStatus): void | Promise<void>;
  /** A message from an executor. */
  message?(agentId: string, executorId: string, data: string): void | Promise<void>;
  /** An agent was lost, or an executor terminated. */
  failure?(info: FailureInfo): void | Promise<void>;
  /** The master refused this framework; the driver is aborted and makes no further calls. */
  error?(message: string): void | Promise<void>;
  /** The master is alive. */
  heartbeat?(): void | Promise<void>;
  /** The master was lost (its process or node went away, its heartbeats stopped, or another master leads now); the driver re-subscribes. */
  disconnected?(): void | Promise<void>;
}

/** How to reach the master over NATS when the driver builds its own runtime. */
export interface NatsOptions {
  /** NATS server URLs, comma separated. */
  servers: string;
  /** The Tessera cluster name (subject namespace), default 'default'. */
  cluster?: string;
}

/**
 * Options of `new SchedulerDriver(...)`. Give exactly one of `nats` and `runtime`, or an HTTP
 * master (`master: 'http://host:5050'`), which needs neither.
 */
export interface SchedulerDriverOptions {
  /** The framework. Set `id` to fail over to a framework that already exists. */
  framework: FrameworkInfo;
  /** The framework's callbacks. */
  scheduler: Scheduler;
  /**
   * A fixed master's pid (a StaticMasterDetector), default `master@master`. Not with `detector`.
   * Or an HTTP master, `http://host:port` (or https): the driver then speaks Mesos's v1 scheduler
   * HTTP API to it (Tessera's or Apache Mesos's), following 307 redirects to the leader.
   */
  master?: string;
  /** With an HTTP master: how calls and events are encoded, 'json' (the default) or 'protobuf'. */
  contentType?: 'json' | 'protobuf';
  /**
   * Finds the leading master's pid; called before every SUBSCRIBE. Its answer is believed as
   * the leader at the epoch already known. Prefer `detector`, which also says when the leader
   * changes. Not with `detector`.
   */
  detectMaster?: () => Promise<string>;
  /**
   * Who leads the masters, and every change (e.g. `new LeaseDetector(new KvLeaseStore(kv))`).
   * The driver follows it: on a new leader or epoch it subscribes there again with its framework
   * id; with no leader known it waits. Not with `master` or `detectMaster`; default: a
   * StaticMasterDetector of `master`. The driver does not stop a detector it was given.
   */
  detector?: MasterDetector;
  /**
   * After every SUBSCRIBED (once `subscribed` has returned), send RECONCILE: an explicit one for
   * the tasks `tasksToReconcile` names, then an implicit one (every task the master knows), so
   * that the master's answers bring the framework up to date. Default true.
   */
  reconcileOnSubscribe?: boolean;
  /**
   * The framework's non-terminal tasks, asked after every SUBSCRIBED for the explicit
   * RECONCILE (a TaskStatus fits as an entry). A task the master does not know comes back as
   * TASK_LOST (TASK_UNKNOWN for a partition-aware framework). Default: none, implicit only.
   */
  tasksToReconcile?: () => readonly ReconcileTask[] | Promise<readonly ReconcileTask[]>;
  /** Build a runtime on a NATS transport, owned (and stopped) by the driver. */
  nats?: NatsOptions;
  /**
   * Use this runtime (e.g. on a MemoryNetwork); the driver spawns its process there and leaves the
   * runtime running at stop(). With an HTTP master it is optional and only gives the clock and logger.
   */
  runtime?: Runtime;
  /** Acknowledge each update with a uuid after `update` returns (default true). */
  implicitAcknowledgements?: boolean;
  /** The driver's process name, default `scheduler`. */
  name?: string;
  /** Logger for an owned runtime (default: JSON lines on stderr at 'info'). */
  logger?: Logger;
}

/** Options of `stop()`. */
export interface StopOptions {
  /**
   * false (the default): tear the framework down first, as Mesos's `stop(false)`: the master kills
   * its tasks and forgets it. true: only go away, so that another scheduler may subscribe with
   * the same framework id within `failover_timeout` and take the tasks over.
   */
  failover?: boolean;
}

/** The master pid used when none is given. */
export const DEFAULT_MASTER = 'master@master';
/** The heartbeat interval assumed when the master names none (Mesos's DEFAULT_HEARTBEAT_INTERVAL). */
export const DEFAULT_HEARTBEAT_SECONDS = 15;
/** Heartbeats the driver may miss before it takes the master for lost (Mesos's advice: about 5). */
export const MISSED_HEARTBEATS = 5;
