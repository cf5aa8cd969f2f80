import type { Envelope, Messages } from '@tessera/protocol';
import { Process, type UPID } from '@tessera/process';

type Call = Messages['scheduler.Call'];
type Event = Messages['scheduler.Event'];

/** Where a stream's events go: the HTTP response, one RecordIO record each. */
export interface EventSink {
  /** Writes one event; false when the client has fallen too far behind to keep. */
  write(event: Event): boolean;
  /** Ends the response (idempotent). */
  end(): void;
}

/**
 * One SUBSCRIBE stream as an actor on the master's node. It sends the SUBSCRIBE, and later the
 * framework's other calls, to the master as itself, so the master takes its pid for the
 * framework's scheduler and links to it, exactly as to a scheduler driver over NATS. Every event
 * the master sends it becomes a record on the stream. When the stream ends (the client left, the
 * subscription was refused or replaced, the master went away), the process terminates, and the
 * master's link to it breaks: the framework is disconnected and its failover timeout starts.
 */
export class SchedulerStream extends Process {
  private open = true;

  constructor(
    readonly streamId: string,
    private readonly master: UPID,
    private readonly subscribe: Call,
    private readonly sink: EventSink,
    private readonly ended: (stream: SchedulerStream) => void,
  ) {
    super(`scheduler-stream-${streamId}`);
  }

  protected initialize(): void {
    this.install('scheduler.Event', this.onEvent);
    // A deposed or stopped master sends nothing more: the client must find the new leader.
    this.link(this.master);
    this.send(this.master, 'scheduler.Call', this.subscribe);
  }

  /** Sends a call of this stream's framework to the master, from this stream's pid. */
  forward(call: Call): void {
    this.send(this.master, 'scheduler.Call', call);
  }

  protected override exited(pid: UPID): void {
    if (pid === this.master) this.end();
  }

  protected override finalize(): void {
    this.open = false;
    this.sink.end();
    this.ended(this);
  }

  private onEvent = (event: Event, message: Envelope<'scheduler.Event'>): void => {
    if (!this.open || message.from !== this.master) return;
    const keep = this.sink.write(event);
    // As Mesos: an ERROR (subscription refused, or another scheduler took the framework over) ends the stream.
    if (event.type === 'ERROR' || !keep) this.end();
  };

  private end(): void {
    if (!this.open) return;
    this.open = false;
    this.terminate();
  }
}
