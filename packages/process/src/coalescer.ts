/** The most bytes one coalesced frame carries; NATS's default max_payload is 1 MiB. */
const MAX_FRAME_BYTES = 256 * 1024;

interface NodeBatch {
  /** The subject of every message so far, or undefined once they are for several processes. */
  subject: string | undefined;
  frames: Uint8Array[];
}

/**
 * Gathers the encoded envelopes sent to each node during one turn of the event loop and
 * publishes them as one frame of concatenated msgpack values at its end (setImmediate), as
 * libprocess batches messages on a socket. Order per node is kept; no message waits past the
 * current turn. A frame whose messages are all for one process goes to that process's subject; a
 * frame for several processes of the node goes to the node's subject (receivers route by each
 * envelope's `to`). Per node, not per process: an agent that acknowledges 200 updates to 200
 * executors of one host in a turn sends one NATS message, not 200, and a NATS message that is
 * not batched costs tens of microseconds of CPU on each side where a batched one costs about one.
 * A turn, not a microtask: a NATS read delivers many messages, each handled in its own
 * microtasks, and flushing after each would send one frame per message.
 */
export class Coalescer {
  private pending = new Map<string, NodeBatch>();
  private pendingBytes = 0;
  private scheduled = false;
  private readonly flushBound = (): void => this.flush();

  /**
   * @param publish sends one frame; it may throw (a closed connection, an oversize frame)
   * @param failed told of each frame that could not be published; the others still go
   * @param nodeSubject the subject of a frame for several processes of `node`
   */
  constructor(
    private readonly publish: (subject: string, frame: Uint8Array) => void,
    private readonly failed: (subject: string, messages: number, error: Error) => void,
    private readonly nodeSubject: (node: string) => string = (node) => node,
  ) {}

  add(node: string, subject: string, bytes: Uint8Array): void {
    // Keep each frame within one NATS payload: what is gathered goes first.
    if (this.pendingBytes > 0 && this.pendingBytes + bytes.length > MAX_FRAME_BYTES) this.flush();
    const batch = this.pending.get(node);
    if (batch === undefined) this.pending.set(node, { subject, frames: [bytes] });
    else {
      if (batch.subject !== subject) batch.subject = undefined;
      batch.frames.push(bytes);
    }
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= MAX_FRAME_BYTES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushBound);
    }
  }

  /** Publishes everything gathered so far. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.size === 0) return;
    // Taken before publishing, so that a publish that throws can neither resend nor jam them.
    const batches = this.pending;
    this.pending = new Map();
    this.pendingBytes = 0;
    for (const [node, { subject, frames }] of batches) {
      const to = subject ?? this.nodeSubject(node);
      try {
        this.publish(to, frames.length === 1 ? frames[0]! : Buffer.concat(frames));
      } catch (err) {
        this.failed(to, frames.length, err as Error);
      }
    }
  }
}
