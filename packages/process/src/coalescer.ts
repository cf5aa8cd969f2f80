/** The most bytes one coalesced frame carries; NATS's default max_payload is 1 MiB. */
const MAX_FRAME_BYTES = 256 * 1024;

/**
 * Gathers the encoded envelopes sent to each subject during one turn of the event loop and
 * publishes them as one frame of concatenated msgpack values at its end (setImmediate), as
 * libprocess batches messages on a socket. Order per subject is kept; no message waits past the
 * current turn. A turn, not a microtask: a NATS read delivers many messages, each handled in its
 * own microtasks, and flushing after each cost one frame and one socket write per message. Now
 * a burst costs one NATS message (and one server-side routing step) per target per turn.
 */
export class Coalescer {
  private pending = new Map<string, Uint8Array[]>();
  private pendingBytes = 0;
  private scheduled = false;
  private readonly flushBound = (): void => this.flush();

  /**
   * @param publish sends one frame; it may throw (a closed connection, an oversize frame)
   * @param failed told of each frame that could not be published; the others still go
   */
  constructor(
    private readonly publish: (subject: string, frame: Uint8Array) => void,
    private readonly failed: (subject: string, messages: number, error: Error) => void,
  ) {}

  add(subject: string, bytes: Uint8Array): void {
    // Keep each frame within one NATS payload: what is gathered goes first.
    if (this.pendingBytes > 0 && this.pendingBytes + bytes.length > MAX_FRAME_BYTES) this.flush();
    let frames = this.pending.get(subject);
    if (frames === undefined) {
      frames = [];
      this.pending.set(subject, frames);
    }
    frames.push(bytes);
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
    const batch = this.pending;
    this.pending = new Map();
    this.pendingBytes = 0;
    for (const [subject, frames] of batch) {
      try {
        this.publish(subject, frames.length === 1 ? frames[0]! : Buffer.concat(frames));
      } catch (err) {
        this.failed(subject, frames.length, err as Error);
      }
    }
  }
}
