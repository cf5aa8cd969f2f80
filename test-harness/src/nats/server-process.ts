/**
 * One nats-server process and its lifecycle: spawn, wait for readiness, signal, restart, stop.
 * Lifecycle calls run one after another (a kill never races a restart); only stop() jumps the
 * queue far enough to abort a readiness wait, so a stop never waits out a start's deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { untrack, type TrackedServer } from './cleanup.js';
import { fileTail, OutputTail, type LaunchCommand } from './launch.js';
import { probeReady } from './loopback.js';
import type { NatsKillSignal, NatsServer } from './types.js';
import { errorText, pollUntil, resolvesWithin, withDeadline } from '../wait.js';

/** Readiness takes 20-40 ms alone and about 0.5 s in a cluster (measured); 10 s is trouble. */
const START_TIMEOUT_MS = 10_000;
/** SIGTERM lets a JetStream leader hand off; past this grace we SIGKILL. */
const STOP_GRACE_MS = 3_000;
/** A SIGKILLed process is gone within milliseconds; longer means something is badly wrong. */
const EXIT_TIMEOUT_MS = 5_000;

/** Everything needed to (re)launch one server. */
export interface LaunchSpec {
  name: string;
  port: number;
  monitorPort: number;
  configFile: string;
  /** Removed on stop(): holds the config and, unless the caller gave one, the JetStream store. */
  tempDir: string;
  logFile?: string;
  jetstream: boolean;
  /** Routes the server must hold before it is ready (0 when alone). */
  routes: number;
}

/** A server failed to become ready; the message quotes its last output. */
export class NatsStartError extends Error {
  constructor(
    message: string,
    /** The server's last output lines (stderr/stdout, and its log file when it has one). */
    readonly output: string,
  ) {
    super(output ? `${message}\n--- last nats-server output ---\n${output}` : message);
    this.name = 'NatsStartError';
  }

  /** Whether the server lost one of its ports to another process (worth a retry on new ports). */
  get addressInUse(): boolean {
    return /address already in use/i.test(this.output);
  }
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

function describeExit(exit: Exit): string {
  if (exit.error) return `failed to spawn (${exit.error.message})`;
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/** Stdio pipes are sockets; unref'ing them keeps a forgotten server from holding a test run open. */
function unrefStream(stream: unknown): void {
  (stream as { unref?: () => void } | null)?.unref?.();
}

/** The harness's handle on one nats-server; create through startNatsServer/startNatsCluster. */
export class NatsServerProcess implements NatsServer, TrackedServer {
  readonly url: string;
  private child: ChildProcess | undefined;
  private exited: Promise<Exit> = Promise.resolve({ code: null, signal: null });
  private alive = false;
  private readonly tail = new OutputTail();
  private queue: Promise<unknown> = Promise.resolve();
  private launching: AbortController | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly spec: LaunchSpec,
    private readonly command: LaunchCommand,
  ) {
    this.url = `nats://127.0.0.1:${spec.port}`;
  }

  get name(): string {
    return this.spec.name;
  }
  get port(): number {
    return this.spec.port;
  }
  get monitorPort(): number {
    return this.spec.monitorPort;
  }
  get pid(): number {
    return this.child?.pid ?? -1;
  }
  get running(): boolean {
    return this.alive;
  }

  /** Spawn and wait until ready; rejects with a {@link NatsStartError}. Used once by the factories. */
  start(): Promise<void> {
    return this.serialize(() => this.launch());
  }

  stop(): Promise<void> {
    if (this.stopping === undefined) {
      this.launching?.abort();
      this.stopping = this.serialize(async () => {
        await this.terminate('SIGTERM', STOP_GRACE_MS);
        await rm(this.spec.tempDir, { recursive: true, force: true });
        untrack(this);
      });
    }
    return this.stopping;
  }

  kill(signal: NatsKillSignal = 'SIGKILL'): Promise<void> {
    return this.serialize(() => this.terminate(signal, EXIT_TIMEOUT_MS, false));
  }

  restart(): Promise<void> {
    if (this.stopping !== undefined) {
      return Promise.reject(new Error(`restart() of nats-server "${this.name}" after stop(): its ports and files are released`));
    }
    return this.serialize(async () => {
      await this.terminate('SIGTERM', STOP_GRACE_MS);
      await this.launch();
    });
  }

  killNow(): void {
    if (this.alive && this.child?.pid !== undefined) {
      try {
        process.kill(this.child.pid, 'SIGKILL');
      } catch {
        // Already gone between the check and the kill.
      }
    }
    try {
      rmSync(this.spec.tempDir, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      // Best effort at exit: a dying server may still be writing its store.
    }
  }

  /** Run lifecycle steps one at a time; a failed step does not block the next. */
  private serialize<T>(step: () => Promise<T>): Promise<T> {
    const run = this.queue.then(step, step);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async launch(): Promise<void> {
    if (this.stopping !== undefined) throw new Error(`nats-server "${this.name}" was stopped before it launched`);
    this.tail.clear();
    const child = spawn(this.command.file, [...this.command.args, '-c', this.spec.configFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.alive = true;
    this.exited = new Promise<Exit>((resolve) => {
      child.once('error', (error) => {
        this.alive = false;
        resolve({ code: null, signal: null, error });
      });
      child.once('exit', () => (this.alive = false));
      // 'close' comes after the last output chunk, so a failure message quotes all of it.
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => this.tail.push(chunk));
      unrefStream(stream);
    }
    child.unref();
    await this.awaitReady();
  }

  /** Poll readiness until the deadline, failing fast when the process dies or stop() aborts. */
  private async awaitReady(): Promise<void> {
    const abort = new AbortController();
    this.launching = abort;
    const died = this.exited.then((exit) => {
      throw this.startError(`${describeExit(exit)} before it was ready`);
    });
    died.catch(() => undefined); // Handled by the race below, or irrelevant once ready.
    const spec = this.spec;
    const ready = pollUntil('readiness', () => probeReady(spec), { timeoutMs: START_TIMEOUT_MS, signal: abort.signal });
    try {
      await Promise.race([ready, died]);
    } catch (err) {
      abort.abort();
      await this.terminate('SIGKILL', EXIT_TIMEOUT_MS).catch(() => undefined);
      if (err instanceof NatsStartError) throw err;
      const reason = this.stopping ? 'was stopped before it was ready' : `was not ready: ${errorText(err)}`;
      throw this.startError(reason);
    } finally {
      abort.abort();
      if (this.launching === abort) this.launching = undefined;
    }
  }

  private startError(reason: string): NatsStartError {
    const output = [this.tail.text(), this.spec.logFile ? fileTail(this.spec.logFile) : ''].filter(Boolean).join('\n');
    const where = `client 127.0.0.1:${this.port}, monitor 127.0.0.1:${this.monitorPort}`;
    return new NatsStartError(`nats-server "${this.name}" (pid ${this.pid}, ${where}) ${reason}`, output);
  }

  /**
   * Send `signal` and wait for the exit; past `graceMs`, escalate to SIGKILL when `escalate`.
   * A no-op when the process is already down.
   */
  private async terminate(signal: NatsKillSignal, graceMs: number, escalate = true): Promise<void> {
    const child = this.child;
    if (!this.alive || child === undefined) return;
    child.kill(signal);
    if (await resolvesWithin(this.exited, graceMs)) return;
    if (!escalate || signal === 'SIGKILL') {
      throw new Error(`nats-server "${this.name}" (pid ${this.pid}) did not exit within ${graceMs} ms of ${signal}`);
    }
    child.kill('SIGKILL');
    await withDeadline(`nats-server "${this.name}" to exit after SIGKILL`, this.exited, EXIT_TIMEOUT_MS);
  }
}
