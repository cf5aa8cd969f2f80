import type { Envelope, Messages } from '@tessera/protocol';
import { Process, type ExitReason, type Timer, type UPID } from '@tessera/process';

type Call = Messages['executor.Call'];
type Event = Messages['executor.Event'];

/** Mesos's DEFAULT_EXECUTOR_HEARTBEAT_INTERVAL: HEARTBEAT events on an idle executor stream. */
export const DEFAULT_EXECUTOR_HEARTBEAT_MS = 30 * 60_000;

/**
 * How long a dropped stream still stands for its executor (Mesos's executor re-registration
 * timeout, the longest an executor waits between two SUBSCRIBE attempts): an executor process
 * that exits meanwhile is reported by its exit status, not killed as one that lost its agent,
 * and one that subscribes again keeps running.
 */
export const DEFAULT_DISCONNECT_GRACE_MS = 2_000;

/** What an ExecutorStream needs from its HTTP connection and from the other subscriptions. */
export interface ExecutorStreamOptions {
  /** The agent's pid: the SUBSCRIBE and every later call go there. */
  agent: UPID;
  /** The executor's SUBSCRIBE, as received. */
  subscribe: Call;
  heartbeatMs: number;
  disconnectGraceMs: number;
  /** Writes one event to the HTTP stream. */
  write(event: Event): void;
  /** The agent answered SUBSCRIBED: this stream now speaks for the executor. */
  subscribed(stream: ExecutorStream): void;
  /** The stream is over (for whatever reason): end the HTTP response. */
  ended(stream: ExecutorStream): void;
}

/**
 * One executor's SUBSCRIBE stream as an actor in the agent's runtime: it subscribes to the agent
 * as itself, so that the agent links to it as the executor's pid, and writes every event the
 * agent sends it to the stream. Calls that come on other connections (UPDATE, MESSAGE) are sent
 * from here too, since the agent takes them only from the executor's pid. When the client goes
 * away it terminates, after a grace period: that breaks the agent's link, as the death of a NATS
 * executor does.
 */
export class ExecutorStream extends Process {
  readonly frameworkId: string;
  readonly executorId: string;
  private isSubscribed = false;
  private isDisconnected = false;
  private heartbeat: Timer | undefined;

  constructor(name: string, private readonly options: ExecutorStreamOptions) {
    super(name);
    this.frameworkId = options.subscribe.framework_id.value;
    this.executorId = options.subscribe.executor_id.value;
  }

  protected initialize(): void {
    this.install('executor.Event', this.onEvent);
    // The agent going away ends the stream: the executor then reconnects (or exits), as with Mesos.
    this.link(this.options.agent);
    this.send(this.options.agent, 'executor.Call', this.options.subscribe);
  }

  protected override finalize(): void {
    this.heartbeat?.cancel();
    this.options.ended(this);
  }

  protected override exited(pid: UPID, reason: ExitReason): void {
    if (pid !== this.options.agent) return;
    this.logger.log('info', `executor ${this.executorId} of framework ${this.frameworkId}: the agent went away (${reason}), ending its stream`);
    this.terminate();
  }

  /** The HTTP connection is gone: the executor has the grace period to exit or subscribe again. */
  disconnected(): void {
    if (this.isDisconnected) return;
    this.isDisconnected = true;
    this.heartbeat?.cancel();
    this.heartbeat = undefined;
    this.delay(this.options.disconnectGraceMs, () => this.terminate());
  }

  /** Sends a call (UPDATE, MESSAGE) that came on another connection, as the executor. */
  forward(call: Call): void {
    this.send(this.options.agent, 'executor.Call', call);
  }

  private onEvent = (event: Event, message: Envelope<'executor.Event'>): void => {
    if (message.from !== this.options.agent) return;
    if (event.type === 'HEARTBEAT') {
      // A restarted agent asks its executors to subscribe again this way; over HTTP that is a
      // new SUBSCRIBE, which carries what the executor holds unacknowledged.
      this.terminate();
      return;
    }
    this.options.write(event);
    if (event.type === 'SUBSCRIBED' && !this.isSubscribed) this.onSubscribed();
  };

  private onSubscribed(): void {
    this.isSubscribed = true;
    const { subscribe } = this.options;
    // The updates the executor holds unacknowledged go again as UPDATEs, as the NATS executor
    // driver resends them: the agent forwards the new ones, drops duplicates by uuid, and
    // acknowledges again those already acknowledged (the ACKNOWLEDGED may be what was lost).
    for (const { status } of subscribe.subscribe?.unacknowledged_updates ?? []) {
      this.forward({ framework_id: subscribe.framework_id, executor_id: subscribe.executor_id, type: 'UPDATE', update: { status } });
    }
    this.options.subscribed(this);
    this.beat();
  }

  private beat(): void {
    this.heartbeat = this.delay(this.options.heartbeatMs, () => {
      this.options.write({ type: 'HEARTBEAT' });
      this.beat();
    });
  }
}
