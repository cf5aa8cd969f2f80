import {
  decodeEnvelopes,
  encodeEnvelope,
  validateEnvelope,
  type Envelope,
  type MessageType,
  type Messages,
  type RawEnvelope,
} from '@tessera/protocol';
import { SystemClock, type Clock, type Settleable, type Timer } from './clock.js';
import { AskTimeoutError, UndeliverableError, UnexpectedReplyError } from './errors.js';
import { MessageHooks } from './hooks.js';
import { stderrLogger, type Logger } from './logger.js';
import { ProcessCell, type MailboxEvent } from './mailbox.js';
import { ManualClock } from './manual-clock.js';
import { Counters, RuntimeMetric } from './metrics.js';
import type { AskOptions, Process } from './process.js';
import { Queue } from './queue.js';
import { Random } from './random.js';
import type { MessageRecorder } from './recorder.js';
import type { NodeLossReason, NodePresence, Transport } from './transport.js';
import { isValidName, nodeOf, parseUpid, upid, type UPID } from './upid.js';

/** Why a linked process is reported gone. */
export type ExitReason = Messages['process.Exited']['reason'];

/** How to build a runtime. Only the transport is required. */
export interface RuntimeOptions {
  transport: Transport;
  clock?: Clock;
  random?: Random;
  logger?: Logger;
  /** Default `ask` timeout (5 s). */
  askTimeoutMs?: number;
  /**
   * The longest the runtime serves mailboxes before it lets the event loop run timers and I/O
   * (ms, default 10). A node answering 10,000 re-registrations at once otherwise held its loop
   * for seconds, and its own lease renewal with it.
   */
  turnBudgetMs?: number;
}

/** What a sent envelope carries besides its body: the answered id, its own id, the sender's epoch. */
export interface SendStamp {
  re?: string;
  id?: string;
  epoch?: number;
}

interface PendingAsk {
  to: UPID;
  type: string;
  expect: string;
  timer: Timer;
  resolve: (body: unknown) => void;
  reject: (err: Error) => void;
}

// Events one process may consume before yielding to others, and all processes before yielding
// to I/O: keeps one busy actor from starving the rest or the socket.
const PER_PROCESS_BUDGET = 256;
const PER_TURN_BUDGET = 4096;
const DEFAULT_TURN_BUDGET_MS = 10;
/** NATS's default max_payload is 1 MiB; a larger envelope could never be published. */
export const MAX_MESSAGE_BYTES = 1_000_000;
/** How many timed-out ask ids are remembered, so that their late replies are dropped. */
const EXPIRED_ASKS_KEPT = 10_000;

/**
 * One node of actors: spawns processes, routes their messages (locally, or through the
 * transport), validates everything it receives, and keeps links, asks and timers.
 */
export class Runtime implements Settleable {
  readonly node: string;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly metrics = new Counters();
  /** Test hooks on delivered messages (futureMessage, dropMessages, delayMessages). */
  readonly hooks = new MessageHooks();
  private readonly transport: Transport;
  private readonly askTimeoutMs: number;
  private readonly turnBudgetMs: number;
  private readonly cells = new Map<string, ProcessCell>();
  private readonly asks = new Map<string, PendingAsk>();
  private readonly watchedNodes = new Map<string, number>();
  /** Remote linkers of local processes whose links broke while disconnected, told on reconnect. */
  private brokenLinks: { pid: UPID; linker: UPID }[] = [];
  private readonly runQueue = new Queue<ProcessCell>();
  private readonly expiredAsks = new Set<string>();
  private readonly recorders = new Set<MessageRecorder>();
  private readonly idPrefix: string;
  private nextId = 0;
  private runScheduled = false;
  private work = 0;
  /** Local I/O in flight (trackIo). */
  private io = 0;
  private stopped = false;
  private readonly runBound = (): void => this.run();
  private readonly postPid: UPID;
  private readonly askPid: UPID;

  /** Builds a runtime and starts its transport. */
  static async create(options: RuntimeOptions): Promise<Runtime> {
    const runtime = new Runtime(options);
    await options.transport.start(
      {
        deliver: (bytes) => runtime.receive(bytes),
        nodeLost: (node, reason) => runtime.onNodeLost(node, reason),
        disconnected: () => runtime.onDisconnected(),
        reconnected: () => runtime.onReconnected(),
        publishFailed: (subject, messages, error) => runtime.onPublishFailed(subject, messages, error),
      },
      runtime.clock,
    );
    return runtime;
  }

  private constructor(options: RuntimeOptions) {
    if (!isValidName(options.transport.node)) throw new Error(`invalid node name '${options.transport.node}'`);
    this.node = options.transport.node;
    this.transport = options.transport;
    this.clock = options.clock ?? new SystemClock();
    this.random = options.random ?? Random.fromEntropy();
    this.logger = options.logger ?? stderrLogger();
    this.askTimeoutMs = options.askTimeoutMs ?? 5_000;
    this.turnBudgetMs = options.turnBudgetMs ?? DEFAULT_TURN_BUDGET_MS;
    this.idPrefix = this.random.token(6);
    this.postPid = upid('_post', this.node);
    this.askPid = upid('_ask', this.node);
    if (this.clock instanceof ManualClock) this.clock.attach(this);
  }

  /** Starts a process on this node under its name; returns it with its pid set. */
  spawn<P extends Process>(process: P): P {
    if (this.stopped) throw new Error(`runtime ${this.node} is stopped`);
    if (this.cells.has(process.name)) throw new Error(`a process named '${process.name}' already runs on ${this.node}`);
    const pid = upid(process.name, this.node);
    const cell = new ProcessCell(process, pid);
    this.cells.set(process.name, cell);
    process.bind({ runtime: this, pid });
    return process;
  }

  /**
   * Terminates a process after the events already in its mailbox, or with `immediately` at
   * once, dropping them and abandoning a handler still pending (as libprocess's inject).
   */
  terminate(pid: UPID, options: { immediately?: boolean } = {}): void {
    const cell = this.localCell(pid);
    if (cell === undefined || cell.terminated) return;
    if (options.immediately === true) this.finish(cell);
    else this.enqueue(cell, { kind: 'terminate' });
  }

  /** Resolves when the process has terminated (at once if it does not run here). */
  wait(pid: UPID): Promise<void> {
    return this.localCell(pid)?.done ?? Promise.resolve();
  }

  /** The pids of the processes running on this node. */
  processes(): UPID[] {
    return [...this.cells.values()].map((c) => c.pid);
  }

  /** Runs `fn` inside a process's mailbox, serialized with its handlers (libprocess `dispatch`). */
  dispatch<T>(pid: UPID, fn: () => T | Promise<T>): Promise<T> {
    const cell = this.localCell(pid);
    if (cell === undefined || cell.terminated) return Promise.reject(new Error(`no process ${pid} on ${this.node}`));
    return new Promise<T>((resolve, reject) => {
      this.enqueue(cell, {
        kind: 'dispatch',
        run: fn,
        settle: (o) => (o.ok ? resolve(o.value as T) : reject(o.value as Error)),
      });
    });
  }

  /** Sends from outside any process (libprocess `post`); replies go nowhere. */
  post<K extends MessageType>(to: UPID, type: K, body: Messages[K]): void {
    this.sendFrom(this.postPid, to, type, body);
  }

  /** An `ask` from outside any process, e.g. from a test or the CLI. */
  ask<K extends MessageType, R extends MessageType>(to: UPID, type: K, body: Messages[K], options: AskOptions<R>): Promise<Messages[R]> {
    return this.askFrom(this.askPid, to, type, body, options);
  }

  /** Appends every message sent and delivered here to `recorder` until it is removed. */
  addRecorder(recorder: MessageRecorder): () => void {
    this.recorders.add(recorder);
    return () => this.recorders.delete(recorder);
  }

  /** Terminates every process at once (their linkers are told), then stops the transport. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    for (const cell of [...this.cells.values()]) this.terminate(cell.pid, { immediately: true });
    this.stopped = true;
    for (const ask of this.asks.values()) {
      ask.timer.cancel();
      ask.reject(new UndeliverableError(ask.to, ask.type, `runtime ${this.node} stopped`));
    }
    this.asks.clear();
    await this.transport.flush();
    await this.transport.stop();
    if (this.clock instanceof ManualClock) this.clock.detach(this);
  }

  /**
   * Counts `promise` as work of this runtime until it settles: local I/O that ends by itself (a
   * directory made on libuv's threads), which a manual clock's settle waits for as it waits for
   * messages. Never a promise that only time resolves: settle would wait for it in vain.
   */
  trackIo<T>(promise: Promise<T>): Promise<T> {
    this.io += 1;
    return promise.finally(() => {
      this.io -= 1;
      this.work += 1;
    });
  }

  /** Asks the network whether `node` is there now; this runtime's own node always is. */
  probeNode(node: string): Promise<NodePresence> {
    if (node === this.node) return Promise.resolve('present');
    return this.transport.probe(node);
  }

  /** Resolves when everything sent so far has left this node. */
  flush(): Promise<void> {
    return this.transport.flush();
  }

  isIdle(): boolean {
    if (this.runQueue.length > 0 || this.transport.inFlight() > 0 || this.io > 0) return false;
    for (const cell of this.cells.values()) if (cell.queue.length > 0 && !cell.busy) return false;
    return true;
  }

  progress(): number {
    return this.work;
  }

  /**
   * Delivers a message as if it had arrived from the network: used by replay. It is validated
   * like any other.
   */
  inject(message: RawEnvelope): void {
    this.receive(encodeEnvelope(message));
  }

  /**
   * @internal Sends one envelope. Throws (changing nothing) when `to` is not a pid or the
   * encoded message is larger than any transport carries; after stop() it sends nothing.
   */
  sendFrom<K extends MessageType>(from: UPID, to: UPID, type: K, body: Messages[K], stamp: SendStamp = {}): string {
    const target = parseUpid(to);
    if (target === undefined) throw new Error(`cannot send ${type} to '${to}': not a pid (name@node)`);
    const id = stamp.id ?? this.nextMessageId();
    if (this.stopped) return id;
    const message: RawEnvelope = { type, from, to, id, body };
    if (stamp.re !== undefined) message.re = stamp.re;
    if (stamp.epoch !== undefined) message.epoch = stamp.epoch;
    const bytes = encodeEnvelope(message);
    if (bytes.length > MAX_MESSAGE_BYTES) {
      throw new Error(`cannot send ${type} to ${to}: ${bytes.length} bytes is over the ${MAX_MESSAGE_BYTES}-byte limit`);
    }
    this.metrics.inc(RuntimeMetric.sent);
    for (const recorder of this.recorders) recorder.record('out', this.clock.now(), message);
    if (target.node === this.node) this.receive(bytes);
    else this.transport.send(target.node, target.name, bytes);
    return id;
  }

  /** @internal */
  askFrom<K extends MessageType, R extends MessageType>(
    from: UPID,
    to: UPID,
    type: K,
    body: Messages[K],
    options: AskOptions<R>,
    epoch?: number,
  ): Promise<Messages[R]> {
    return new Promise<Messages[R]>((resolve, reject) => {
      if (this.stopped) return reject(new UndeliverableError(to, type, `runtime ${this.node} is stopped`));
      const timeoutMs = options.timeoutMs ?? this.askTimeoutMs;
      const id = this.nextMessageId();
      const timer = this.clock.setTimer(timeoutMs, () => {
        this.asks.delete(id);
        this.rememberExpired(id);
        reject(new AskTimeoutError(to, type, timeoutMs));
      });
      // Registered before sending: a local reply can arrive before sendFrom returns.
      this.asks.set(id, { to, type, expect: options.expect, timer, resolve: resolve as (b: unknown) => void, reject });
      try {
        this.sendFrom(from, to, type, body, { id, epoch });
      } catch (err) {
        this.asks.delete(id);
        timer.cancel();
        reject(err as Error);
      }
    });
  }

  /** @internal */
  linkFrom(linker: UPID, target: UPID): void {
    if (parseUpid(target) === undefined) throw new Error(`cannot link to '${target}': not a pid (name@node)`);
    const cell = this.localCell(linker);
    if (cell === undefined || cell.links.has(target)) return;
    cell.links.add(target);
    const node = nodeOf(target);
    if (node === this.node) {
      const targetCell = this.localCell(target);
      if (targetCell === undefined || targetCell.terminated) this.exited(linker, target, 'no-such-process');
      else targetCell.linkers.add(linker);
      return;
    }
    this.watchNode(node);
    this.sendFrom(linker, target, 'process.Link', {});
  }

  /** @internal */
  unlinkFrom(linker: UPID, target: UPID): void {
    const cell = this.localCell(linker);
    if (cell === undefined || !cell.links.delete(target)) return;
    const node = nodeOf(target);
    if (node === this.node) this.localCell(target)?.linkers.delete(linker);
    else {
      this.unwatchNode(node);
      this.sendFrom(linker, target, 'process.Unlink', {});
    }
  }

  /** @internal */
  delayFor(pid: UPID, ms: number, fn: () => void | Promise<void>): Timer {
    const cell = this.localCell(pid);
    if (cell === undefined) throw new Error(`no process ${pid} on ${this.node}`);
    const timer: Timer = this.clock.setTimer(ms, () => {
      cell.timers.delete(timer);
      if (!cell.terminated) this.enqueue(cell, { kind: 'dispatch', run: fn });
    });
    cell.timers.add(timer);
    return { cancel: () => { timer.cancel(); cell.timers.delete(timer); } };
  }

  /** Takes a frame of one or more encoded envelopes off the transport. */
  private receive(bytes: Uint8Array): void {
    this.work += 1;
    let envelopes: unknown[];
    try {
      envelopes = decodeEnvelopes(bytes);
    } catch (err) {
      this.metrics.inc(RuntimeMetric.undecodable);
      this.logger.log('warn', 'dropped an undecodable message', { node: this.node, bytes: bytes.length, error: (err as Error).message });
      return;
    }
    for (const envelope of envelopes) {
      try {
        this.receiveDecoded(envelope);
      } catch (err) {
        // Whatever one message does, the node keeps reading: a throw here would end the
        // transport's read loop (nats.js closes its reader) and deafen the node for good.
        this.metrics.inc(RuntimeMetric.invalid);
        this.logger.log('error', `dropped a message that broke the runtime: ${(err as Error).message}`, { node: this.node, stack: (err as Error).stack });
      }
    }
  }

  private receiveDecoded(decoded: unknown): void {
    const checked = validateEnvelope(decoded);
    if (!checked.ok) {
      const raw = (decoded ?? {}) as Partial<RawEnvelope>;
      const unknownType = checked.error.startsWith('unknown message type');
      this.metrics.inc(unknownType ? RuntimeMetric.unknownType : RuntimeMetric.invalid);
      this.logger.log('warn', `dropped an invalid message: ${checked.error}`, {
        node: this.node, type: raw.type, from: raw.from, to: raw.to, error: checked.error,
      });
      return;
    }
    this.metrics.inc(RuntimeMetric.received);
    this.route(checked.value);
  }

  private route(message: Envelope): void {
    const verdict = this.hooks.intercept(message);
    if (verdict.action === 'drop') {
      this.metrics.inc(RuntimeMetric.filtered);
      return;
    }
    if (verdict.action === 'delay') {
      this.clock.setTimer(verdict.ms, () => this.accept(message));
      return;
    }
    this.accept(message);
  }

  private accept(message: Envelope): void {
    for (const recorder of this.recorders) recorder.record('in', this.clock.now(), message);
    if (message.re !== undefined) {
      if (this.asks.has(message.re)) return this.answer(message.re, message);
      if (this.expiredAsks.delete(message.re)) {
        this.metrics.inc(RuntimeMetric.lateReplies);
        return;
      }
    }
    switch (message.type) {
      case 'process.Link': return this.onLink(message as Envelope<'process.Link'>);
      case 'process.Unlink': {
        const cell = this.localCell(message.to);
        return cell === undefined ? undefined : this.forgetLinker(cell, message.from);
      }
      case 'process.Exited': return this.onExited(message as Envelope<'process.Exited'>);
      case 'process.Undeliverable': return this.onUndeliverable(message as Envelope<'process.Undeliverable'>);
    }
    const cell = this.localCell(message.to);
    if (cell === undefined || cell.terminated) return this.undeliverable(message, 'no such process');
    this.enqueue(cell, { kind: 'message', message });
  }

  private answer(id: string, message: Envelope): void {
    const ask = this.asks.get(id)!;
    this.asks.delete(id);
    ask.timer.cancel();
    if (message.type === ask.expect) ask.resolve(message.body);
    else ask.reject(new UnexpectedReplyError(ask.expect, message.type));
  }

  private onLink(message: Envelope<'process.Link'>): void {
    const cell = this.localCell(message.to);
    if (cell === undefined || cell.terminated) {
      this.sendFrom(message.to, message.from, 'process.Exited', { pid: message.to, reason: 'no-such-process' });
    } else if (!cell.linkers.has(message.from)) {
      cell.linkers.add(message.from);
      // Watched so that linkers on a node that dies are forgotten, not kept forever.
      this.watchNode(nodeOf(message.from));
    }
  }

  private forgetLinker(cell: ProcessCell, linker: UPID): void {
    if (!cell.linkers.delete(linker)) return;
    if (nodeOf(linker) !== this.node) this.unwatchNode(nodeOf(linker));
  }

  private onExited(message: Envelope<'process.Exited'>): void {
    const { pid, reason } = message.body;
    const cell = this.localCell(message.to);
    if (cell === undefined) return;
    // A process that is gone no longer links to this one (it sends no Unlink when it also sends this).
    this.forgetLinker(cell, pid);
    if (!cell.links.has(pid)) return;
    this.unwatchNode(nodeOf(pid));
    this.exited(message.to, pid, reason);
  }

  private onUndeliverable(message: Envelope<'process.Undeliverable'>): void {
    const { message_id, type, to, reason } = message.body;
    this.metrics.inc(RuntimeMetric.undeliverable);
    this.logger.log('warn', `${type} to ${to} was not delivered: ${reason}`, { node: this.node, to, type, reason });
    const ask = this.asks.get(message_id);
    if (ask === undefined) return;
    this.asks.delete(message_id);
    ask.timer.cancel();
    ask.reject(new UndeliverableError(to, type, reason));
  }

  private undeliverable(message: Envelope, reason: string): void {
    this.metrics.inc(RuntimeMetric.undeliverable);
    this.logger.log('warn', `no process to take ${message.type} from ${message.from}: ${message.to} ${reason}`, {
      node: this.node, type: message.type, from: message.from, to: message.to,
    });
    // Never answer a control message with another one: two dead ends would ping-pong forever.
    // A post has no one to tell.
    if (message.type.startsWith('process.') || message.from.startsWith('_post@')) return;
    this.sendFrom(upid('_runtime', this.node), message.from, 'process.Undeliverable', {
      message_id: message.id, type: message.type, to: message.to, reason,
    });
  }

  private onNodeLost(node: string, reason: NodeLossReason): void {
    this.watchedNodes.delete(node);
    const exitReason: ExitReason = reason === 'no-such-node' ? 'no-such-process' : 'node-lost';
    for (const cell of this.cells.values()) {
      for (const target of cell.links.onNode(node)) this.exited(cell.pid, target, exitReason);
      for (const linker of cell.linkers.onNode(node)) cell.linkers.delete(linker);
    }
    for (const [id, ask] of [...this.asks]) {
      if (nodeOf(ask.to) !== node) continue;
      this.asks.delete(id);
      ask.timer.cancel();
      ask.reject(new UndeliverableError(ask.to, ask.type, reason === 'no-such-node' ? `no node ${node}` : `node ${node} lost`));
    }
    this.logger.log('warn', `node ${node} ${reason === 'no-such-node' ? 'does not exist' : 'was lost'}`, { node: this.node, peer: node });
  }

  private onPublishFailed(subject: string, messages: number, error: Error): void {
    this.metrics.inc(RuntimeMetric.undeliverable, messages);
    this.logger.log('error', `${messages} message(s) to ${subject} were not sent: ${error.message}`, { node: this.node, subject });
  }

  private onDisconnected(): void {
    this.logger.log('warn', 'lost the connection to the network: remote links are broken', { node: this.node });
    for (const cell of this.cells.values()) {
      for (const target of [...cell.links]) if (nodeOf(target) !== this.node) this.exited(cell.pid, target, 'disconnected');
      for (const linker of [...cell.linkers]) {
        if (nodeOf(linker) === this.node) continue;
        this.brokenLinks.push({ pid: cell.pid, linker });
        cell.linkers.delete(linker);
      }
    }
    for (const node of this.watchedNodes.keys()) this.transport.unwatch(node);
    this.watchedNodes.clear();
  }

  /**
   * Both ends of a broken link learn it, as both ends of a broken TCP connection do: a peer that
   * never noticed the gap (an agent, a driver) hears it must link, and register, again. Sent
   * only now: the NATS client drops what is published while it reconnects.
   */
  private onReconnected(): void {
    const broken = this.brokenLinks;
    this.brokenLinks = [];
    for (const { pid, linker } of broken) {
      if (this.localCell(pid) !== undefined) this.sendFrom(pid, linker, 'process.Exited', { pid, reason: 'disconnected' });
    }
  }

  /** Tells `linker` that `target` is gone, once. */
  private exited(linker: UPID, target: UPID, reason: ExitReason): void {
    const cell = this.localCell(linker);
    if (cell === undefined || !cell.links.delete(target)) return;
    this.enqueue(cell, { kind: 'exited', pid: target, reason });
  }

  private watchNode(node: string): void {
    const count = this.watchedNodes.get(node) ?? 0;
    this.watchedNodes.set(node, count + 1);
    if (count === 0) this.transport.watch(node);
  }

  private unwatchNode(node: string): void {
    const count = this.watchedNodes.get(node);
    if (count === undefined) return;
    if (count > 1) this.watchedNodes.set(node, count - 1);
    else {
      this.watchedNodes.delete(node);
      this.transport.unwatch(node);
    }
  }

  private localCell(pid: UPID): ProcessCell | undefined {
    const at = pid.indexOf('@');
    if (pid.slice(at + 1) !== this.node) return undefined;
    return this.cells.get(pid.slice(0, at));
  }

  private enqueue(cell: ProcessCell, event: MailboxEvent): void {
    cell.queue.push(event);
    // A busy cell is rescheduled when its pending handler completes.
    if (!cell.busy) this.reschedule(cell);
  }

  /**
   * Serves mailboxes until they are empty, or the turn's budget (events or time) is spent; then
   * the rest waits for the next turn of the event loop (setImmediate), after its timers and I/O.
   * `runScheduled` stays true while serving, so that what a handler sends or a served cell still
   * holds joins this run instead of queueing a microtask: one did, and a backlog was then served
   * to its end before any timer ran, whatever the budget.
   */
  private run(): void {
    let budget = PER_TURN_BUDGET;
    const deadline = performance.now() + this.turnBudgetMs;
    while (budget > 0 && this.runQueue.length > 0) {
      const cell = this.runQueue.shift()!;
      cell.scheduled = false;
      // A handler of this cell is still pending: its completion reschedules the cell.
      if (cell.busy) continue;
      budget -= this.serve(cell, deadline);
      if (performance.now() >= deadline) break;
    }
    if (this.runQueue.length > 0) setImmediate(this.runBound);
    else this.runScheduled = false;
  }

  /** Consumes a cell's events (one at least) until its budget or the deadline, an empty mailbox, or a pending handler. */
  private serve(cell: ProcessCell, deadline: number): number {
    let served = 0;
    while (served < PER_PROCESS_BUDGET && !cell.terminated && (served === 0 || performance.now() < deadline)) {
      const event = cell.queue.shift();
      if (event === undefined) break;
      served += 1;
      this.work += 1;
      const pending = this.consume(cell, event);
      if (pending !== undefined) {
        cell.busy = true;
        void pending.then(() => {
          cell.busy = false;
          this.work += 1;
          if (cell.queue.length > 0 && !cell.terminated) this.reschedule(cell);
        });
        return served;
      }
    }
    if (cell.queue.length > 0 && !cell.terminated) this.reschedule(cell);
    return served;
  }

  private reschedule(cell: ProcessCell): void {
    if (cell.scheduled) return;
    cell.scheduled = true;
    this.runQueue.push(cell);
    if (!this.runScheduled) {
      this.runScheduled = true;
      queueMicrotask(this.runBound);
    }
  }

  /** Runs one event; returns a promise when its handler is still running. */
  private consume(cell: ProcessCell, event: MailboxEvent): Promise<void> | undefined {
    const what = event.kind === 'message' ? event.message.type : event.kind;
    const from = event.kind === 'message' ? event.message.from : undefined;
    try {
      let result: unknown;
      switch (event.kind) {
        case 'message': {
          const handler = cell.process.handlers.get(event.message.type);
          if (handler === undefined) {
            this.logger.log('debug', `no handler for ${event.message.type}`, { pid: cell.pid, from });
            return undefined;
          }
          result = handler(event.message.body, event.message);
          break;
        }
        case 'dispatch':
          result = event.run();
          if (event.settle !== undefined) {
            const settle = event.settle;
            if (isPromise(result)) result = result.then((v) => settle({ ok: true, value: v }), (e) => settle({ ok: false, value: e }));
            else settle({ ok: true, value: result });
          }
          break;
        case 'exited':
          cell.process.runExited(event.pid, event.reason);
          break;
        case 'terminate':
          this.finish(cell);
          break;
      }
      if (isPromise(result)) return result.then(undefined, (err) => this.handlerFailed(cell, what, from, err));
    } catch (err) {
      if (event.kind === 'dispatch' && event.settle !== undefined) event.settle({ ok: false, value: err });
      else this.handlerFailed(cell, what, from, err);
    }
    return undefined;
  }

  private handlerFailed(cell: ProcessCell, what: string, from: string | undefined, err: unknown): void {
    this.metrics.inc(RuntimeMetric.handlerErrors);
    this.logger.log('error', `handler for ${what} in ${cell.pid} failed: ${(err as Error)?.message ?? String(err)}`, {
      pid: cell.pid, type: what, from, stack: (err as Error)?.stack,
    });
  }

  private finish(cell: ProcessCell): void {
    cell.terminated = true;
    try {
      cell.process.runFinalize();
    } catch (err) {
      this.handlerFailed(cell, 'finalize', undefined, err);
    }
    cell.process.markTerminated();
    for (const timer of cell.timers) timer.cancel();
    cell.timers.clear();
    this.abandon(cell);
    for (const target of [...cell.links]) {
      if (cell.linkers.has(target) && nodeOf(target) !== this.node) {
        // Linked both ways: the Exited sent below also withdraws this link (see onExited), one
        // message instead of two, per executor that ends on a remote agent.
        cell.links.delete(target);
        this.unwatchNode(nodeOf(target));
      } else this.unlinkFrom(cell.pid, target);
    }
    this.cells.delete(cell.process.name);
    for (const linker of [...cell.linkers]) {
      if (nodeOf(linker) === this.node) this.exited(linker, cell.pid, 'terminated');
      else this.sendFrom(cell.pid, linker, 'process.Exited', { pid: cell.pid, reason: 'terminated' });
      this.forgetLinker(cell, linker);
    }
    cell.markDone();
  }

  /** Settles what a terminated process's mailbox still held: nothing may wait on it forever. */
  private abandon(cell: ProcessCell): void {
    for (let event = cell.queue.shift(); event !== undefined; event = cell.queue.shift()) {
      if (event.kind === 'dispatch') event.settle?.({ ok: false, value: new Error(`process ${cell.pid} terminated`) });
      else if (event.kind === 'message') this.undeliverable(event.message, 'terminated');
    }
  }

  private nextMessageId(): string {
    return `${this.idPrefix}-${(this.nextId++).toString(36)}`;
  }

  private rememberExpired(id: string): void {
    this.expiredAsks.add(id);
    if (this.expiredAsks.size > EXPIRED_ASKS_KEPT) this.expiredAsks.delete(this.expiredAsks.values().next().value!);
  }
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as Promise<unknown> | undefined)?.then === 'function';
}
