import type { Envelope, MessageType, Messages } from '@tessera/protocol';
import type { Clock, Timer } from './clock.js';
import type { Logger } from './logger.js';
import type { Random } from './random.js';
import type { ExitReason, Runtime } from './runtime.js';
import type { UPID } from './upid.js';

/** A message handler: gets the validated body and the whole envelope. */
export type Handler<K extends MessageType> = (body: Messages[K], message: Envelope<K>) => void | Promise<void>;

/** Options of `ask`: the reply type expected, and how long to wait for it. */
export interface AskOptions<R extends MessageType> {
  expect: R;
  timeoutMs?: number;
}

/** What the runtime gives a process when it is spawned. @internal */
export interface ProcessBinding {
  runtime: Runtime;
  pid: UPID;
}

/**
 * An actor, as a libprocess process: an address, a mailbox, and handlers installed per message
 * type in `initialize()`. The runtime runs one handler of a process at a time, in arrival order;
 * a handler that returns a promise holds the mailbox until it settles.
 *
 * ```ts
 * class Echo extends Process {
 *   protected initialize(): void {
 *     this.install('demo.Ping', this.onPing);
 *   }
 *   private onPing = (ping: Messages['demo.Ping'], message: Envelope<'demo.Ping'>): void => {
 *     this.reply(message, 'demo.Pong', { seq: ping.seq });
 *   };
 * }
 * ```
 */
export abstract class Process {
  private binding: ProcessBinding | undefined;
  /** The leadership term this process sends under, when it leads (see `lead`). */
  private leaderEpoch: number | undefined;
  private terminated = false;
  /** @internal handlers by message type, read by the runtime. */
  readonly handlers = new Map<string, Handler<MessageType>>();

  constructor(readonly name: string) {}

  /** This process's address, `name@node`. */
  get pid(): UPID {
    return this.bound().pid;
  }

  protected get clock(): Clock {
    return this.bound().runtime.clock;
  }

  protected get random(): Random {
    return this.bound().runtime.random;
  }

  protected get logger(): Logger {
    return this.bound().runtime.logger;
  }

  /** Installs the handlers: one `install` line per message type. */
  protected abstract initialize(): void;

  /** Runs once when the process terminates, before its linkers learn of it. */
  protected finalize(): void {}

  /** A linked process has gone away. */
  protected exited(_pid: UPID, _reason: ExitReason): void {}

  /** Installs the handler for one message type; a later install replaces an earlier one. */
  protected install<K extends MessageType>(type: K, handler: Handler<K>): void {
    this.handlers.set(type, handler as unknown as Handler<MessageType>);
  }

  /** Sends a message; fire and forget, ordered per pair of processes. */
  protected send<K extends MessageType>(to: UPID, type: K, body: Messages[K]): void {
    this.active().runtime.sendFrom(this.pid, to, type, body, this.stamp());
  }

  /**
   * Answers `message` (its sender's pending `ask`, if any, resolves with it). A reply to an ask
   * resolves the asker's promise as it arrives, without waiting in the asker's mailbox: it may
   * overtake messages the same sender sent earlier that are still queued there.
   */
  protected reply<K extends MessageType>(message: Envelope, type: K, body: Messages[K]): void {
    this.active().runtime.sendFrom(this.pid, message.from, type, body, { ...this.stamp(), re: message.id });
  }

  /** Sends and awaits the reply of type `expect`. Rejects with AskTimeoutError or UndeliverableError. */
  protected ask<K extends MessageType, R extends MessageType>(
    to: UPID,
    type: K,
    body: Messages[K],
    options: AskOptions<R>,
  ): Promise<Messages[R]> {
    return this.active().runtime.askFrom(this.pid, to, type, body, options, this.leaderEpoch);
  }

  /**
   * From now on every message this process sends carries `epoch`, its leadership term (an
   * elected master), so that receivers can ignore a deposed leader.
   */
  protected lead(epoch: number): void {
    this.leaderEpoch = epoch;
  }

  private stamp(): { epoch?: number } {
    return this.leaderEpoch === undefined ? {} : { epoch: this.leaderEpoch };
  }

  /** Watches `pid`: `exited` is called once when it terminates or its node is lost. */
  protected link(pid: UPID): void {
    this.active().runtime.linkFrom(this.pid, pid);
  }

  /** Stops watching `pid`. */
  protected unlink(pid: UPID): void {
    this.active().runtime.unlinkFrom(this.pid, pid);
  }

  /** Runs `fn` in this process's mailbox after `ms` on the runtime's clock; cancelled at termination. */
  protected delay(ms: number, fn: () => void | Promise<void>): Timer {
    return this.active().runtime.delayFor(this.pid, ms, fn);
  }

  /**
   * Runs `fn` in this process's mailbox once `promise` settles (with its outcome), so that the
   * continuation of I/O (a store write) is serialized with the handlers. Dropped after termination.
   */
  protected whenSettled<T>(promise: Promise<T>, fn: (outcome: { ok: true; value: T } | { ok: false; error: Error }) => void): void {
    const runtime = this.active().runtime;
    const pid = this.pid;
    promise.then(
      (value) => runtime.dispatch(pid, () => fn({ ok: true, value })),
      (error: Error) => runtime.dispatch(pid, () => fn({ ok: false, error })),
    ).catch(() => undefined);
  }

  /**
   * As whenSettled, for local I/O that ends by itself (a file system call off the loop): until it
   * settles the runtime is not idle, so a test's manual-clock settle waits for it.
   */
  protected whenIoDone<T>(promise: Promise<T>, fn: (outcome: { ok: true; value: T } | { ok: false; error: Error }) => void): void {
    this.whenSettled(this.active().runtime.trackIo(promise), fn);
  }

  /** Spawns another process on this process's node (a child actor, as the master's allocator). */
  protected spawn<P extends Process>(child: P): P {
    return this.active().runtime.spawn(child);
  }

  /** Terminates a child at once (usable in `finalize`): a parent's helpers must not outlive it. */
  protected terminateChild(child: UPID): void {
    this.bound().runtime.terminate(child, { immediately: true });
  }

  /** Terminates this process after the events already in its mailbox. */
  protected terminate(): void {
    this.active().runtime.terminate(this.pid);
  }

  /** @internal called by the runtime at spawn. */
  bind(binding: ProcessBinding): void {
    if (this.binding !== undefined) throw new Error(`process ${this.binding.pid} is already spawned`);
    this.binding = binding;
    this.initialize();
  }

  /** @internal called by the runtime once finalize() has run. */
  markTerminated(): void {
    this.terminated = true;
  }

  /** @internal */
  runFinalize(): void {
    this.finalize();
  }

  /** @internal */
  runExited(pid: UPID, reason: ExitReason): void {
    this.exited(pid, reason);
  }

  /**
   * The binding, for acting: a handler abandoned by `terminate({immediately})` that resumes
   * later must not act under a name a new process may have taken since.
   */
  private active(): ProcessBinding {
    const binding = this.bound();
    if (this.terminated) throw new Error(`process ${binding.pid} is terminated`);
    return binding;
  }

  private bound(): ProcessBinding {
    if (this.binding === undefined) throw new Error(`process '${this.name}' is not spawned`);
    return this.binding;
  }
}
