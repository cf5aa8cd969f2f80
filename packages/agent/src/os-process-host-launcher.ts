import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ExecutorHostCheckpoint } from '@tessera/protocol';
import { UndeliverableError, nodeOf, upid, type Runtime, type UPID } from '@tessera/process';
import { readCheckpointFile } from './checkpoint-reader.js';
import { ENV_CLUSTER, ENV_HOST_NODE, ENV_NATS_URL } from './executor-environment.js';
import { TESSERA_HOST_IDLE_MS as ENV_HOST_IDLE_MS } from '@tessera/executor-driver';
import type { ExecutorHostLauncher, NatsSettings } from './types.js';

/** How OS-process executor hosts are started. */
export interface OsProcessHostLauncherOptions {
  /** The agent's runtime: hosts are probed from it. */
  runtime: Runtime;
  /** The host's Node entry (`EXECUTOR_HOST_MAIN` of @tessera/executor-driver). */
  entry: string;
  nats: NatsSettings;
  /** How long a new host may take to answer (default 10 s). */
  readyTimeoutMs?: number;
  /** How long `shutdown` waits after SIGTERM before SIGKILL (default 10 s). */
  stopTimeoutMs?: number;
  /**
   * One host for every framework, kept up while the agent runs (default: one per framework,
   * exiting when idle). Tasks are separate processes either way; sharing saves a Node start-up
   * (~0.4 s of CPU) on each framework's first launch and, with `prestart`, on the agent's first.
   */
  shared?: boolean;
  /** The hosts' base environment (default: the agent's). */
  env?: Record<string, string | undefined>;
  /**
   * Where the shared host is recorded (node pid and OS pid), so that a restarted agent adopts the
   * host its predecessor left running, executors and all, instead of starting a second one.
   */
  stateFile?: string;
}

interface HostChild {
  pid: UPID;
  /** The host's OS pid, also its process group (it is started detached). */
  osPid: number | undefined;
  ready: Promise<UPID>;
  exited: Promise<void>;
  alive: boolean;
}

/** How often an adopted host (not this process's child) is checked for life. */
const ADOPTED_POLL_MS = 1_000;

/** The name a probe asks for on a host's node: no such process runs, and its runtime says so. */
const PROBE_NAME = '_probe';
/** The key of the one host when hosts are shared. */
const SHARED = '*';
const PROBE_TIMEOUT_MS = 250;
const PROBE_PAUSE_MS = 50;

/**
 * Starts one executor host OS process per framework (`node EXECUTOR_HOST_MAIN`, detached, its
 * output in the log file the agent names), on a node of its own over NATS, and hands out its
 * `executor-host` pid once the host's runtime answers. A host that exits (idle) is forgotten,
 * and the next `hostFor` starts another.
 */
export class OsProcessHostLauncher implements ExecutorHostLauncher {
  private readonly hosts = new Map<string, HostChild>();
  /** Nodes of hosts seen to exit: an executor there that the network hides is gone for good. */
  private readonly goneNodes = new Set<string>();
  private readonly runtime: Runtime;

  constructor(private readonly options: OsProcessHostLauncherOptions) {
    this.runtime = options.runtime;
  }

  hostFor(frameworkId: string, options: { logFile?: string } = {}): Promise<UPID> {
    const key = this.keyOf(frameworkId);
    const known = this.hosts.get(key);
    if (known !== undefined && known.alive) return known.ready;
    return this.start(key, options.logFile).ready;
  }

  /**
   * Starts the shared host now, so that the first launch does not wait for it; or adopts the one
   * recorded in `stateFile` when it still runs (a restarted agent's).
   * @throws CheckpointError when the state file is not what a launcher wrote.
   */
  prestart(logFile: string): void {
    if (!this.options.shared || this.hosts.has(SHARED)) return;
    const recorded = this.readState();
    if (recorded !== undefined && alive(recorded.os_pid)) {
      this.adopt(recorded, logFile);
      return;
    }
    this.start(SHARED, logFile).ready.catch(() => undefined);
  }

  /** Takes over a host a previous agent started; if it does not answer, a new one is started. */
  private adopt(recorded: ExecutorHostCheckpoint, logFile: string): void {
    const host: HostChild = { pid: recorded.pid, osPid: recorded.os_pid, alive: true, exited: undefined!, ready: undefined! };
    host.exited = new Promise<void>((resolve) => {
      const poll = (): void => {
        if (alive(recorded.os_pid)) {
          this.runtime.clock.setTimer(ADOPTED_POLL_MS, poll);
          return;
        }
        host.alive = false;
        this.goneNodes.add(nodeOf(host.pid));
        if (this.hosts.get(SHARED) === host) this.hosts.delete(SHARED);
        resolve();
      };
      poll();
    });
    host.ready = this.awaitReady(host, () => 'adopted, gone', logFile).catch(() => {
      if (this.hosts.get(SHARED) === host) this.hosts.delete(SHARED);
      return this.start(SHARED, logFile).ready;
    });
    this.hosts.set(SHARED, host);
  }

  private readState(): ExecutorHostCheckpoint | undefined {
    const file = this.options.stateFile;
    if (file === undefined || !existsSync(file)) return undefined;
    return readCheckpointFile(file, 'checkpoint.ExecutorHost');
  }

  private writeState(host: HostChild): void {
    const file = this.options.stateFile;
    if (file === undefined || host.osPid === undefined) return;
    mkdirSync(path.dirname(file), { recursive: true });
    const record: ExecutorHostCheckpoint = { pid: host.pid, os_pid: host.osPid };
    writeFileSync(`${file}.tmp`, JSON.stringify(record));
    renameSync(`${file}.tmp`, file);
  }

  gone(pid: UPID): boolean {
    return this.goneNodes.has(nodeOf(pid));
  }

  forget(frameworkId: string, pid: UPID): void {
    const key = this.keyOf(frameworkId);
    const host = this.hosts.get(key);
    if (host === undefined || host.pid !== pid) return;
    this.hosts.delete(key);
    if (host.alive) signalGroup(host.osPid, 'SIGTERM');
  }

  async shutdown(): Promise<void> {
    const hosts = [...this.hosts.values()];
    this.hosts.clear();
    await Promise.all(hosts.map(async (host) => {
      if (!host.alive) return;
      // SIGTERM: the host shuts its executors down (they kill their tasks) and exits.
      signalGroup(host.osPid, 'SIGTERM');
      const timer = this.runtime.clock.setTimer(this.options.stopTimeoutMs ?? 10_000, () => signalGroup(host.osPid, 'SIGKILL'));
      await host.exited;
      timer.cancel();
    }));
  }

  private keyOf(frameworkId: string): string {
    return this.options.shared ? SHARED : frameworkId;
  }

  private start(frameworkId: string, logFile: string | undefined): HostChild {
    const host = this.spawnHost(frameworkId, logFile);
    if (frameworkId === SHARED) this.writeState(host);
    return host;
  }

  private spawnHost(frameworkId: string, logFile: string | undefined): HostChild {
    const node = `${this.runtime.node}-host-${this.runtime.random.token(8)}`.slice(-128);
    const pid = upid('executor-host', node);
    const log = logFile ?? '/dev/null';
    if (logFile !== undefined) mkdirSync(path.dirname(logFile), { recursive: true });
    const fd = openSync(log, 'a');
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(process.execPath, [this.options.entry], {
        detached: true,
        stdio: ['ignore', fd, fd],
        env: {
          ...(this.options.env ?? process.env),
          [ENV_NATS_URL]: this.options.nats.url,
          [ENV_CLUSTER]: this.options.nats.cluster,
          [ENV_HOST_NODE]: node,
          // A shared host stays up for the agent's life (the longest timer Node takes).
          ...(this.options.shared ? { [ENV_HOST_IDLE_MS]: String(2 ** 31 - 1) } : {}),
        },
      });
    } finally {
      closeSync(fd);
    }
    let exitCode: string = 'unknown';
    const host: HostChild = { pid, osPid: child.pid, alive: true, exited: undefined!, ready: undefined! };
    host.exited = new Promise<void>((resolve) => {
      const gone = (why: string): void => {
        exitCode = why;
        host.alive = false;
        this.goneNodes.add(node);
        if (this.hosts.get(frameworkId) === host) this.hosts.delete(frameworkId);
        resolve();
      };
      child.once('exit', (code, signal) => gone(signal === null ? `code ${code}` : `signal ${signal}`));
      child.once('error', (e) => gone(e.message));
    });
    host.ready = this.awaitReady(host, () => exitCode, log);
    this.hosts.set(frameworkId, host);
    return host;
  }

  /** Probes the host's node until its runtime answers, the host exits, or time runs out. */
  private async awaitReady(host: HostChild, exitCode: () => string, log: string): Promise<UPID> {
    const probe = upid(PROBE_NAME, host.pid.slice(host.pid.indexOf('@') + 1));
    const deadline = this.runtime.clock.now() + (this.options.readyTimeoutMs ?? 10_000);
    while (host.alive) {
      if (this.runtime.clock.now() > deadline) {
        signalGroup(host.osPid, 'SIGKILL');
        throw new Error(`executor host ${host.pid} did not answer within ${this.options.readyTimeoutMs ?? 10_000} ms (log: ${log})`);
      }
      const answered = await this.runtime.ask(probe, 'demo.Ping', { seq: 0 }, { expect: 'demo.Pong', timeoutMs: PROBE_TIMEOUT_MS }).then(
        () => true,
        // "no such process" comes from the host's runtime itself: its node is up and reading.
        (e: Error) => e instanceof UndeliverableError && e.reason === 'no such process',
      );
      if (answered) return host.pid;
      await new Promise<void>((resolve) => this.runtime.clock.setTimer(PROBE_PAUSE_MS, resolve));
    }
    throw new Error(`executor host ${host.pid} exited (${exitCode()}) before it answered (log: ${log})`);
  }
}

function signalGroup(osPid: number | undefined, signal: NodeJS.Signals): void {
  if (osPid === undefined) return;
  try {
    process.kill(-osPid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

/** True while the OS process runs (signal 0 only checks). EPERM: it runs, as another user. */
function alive(osPid: number): boolean {
  try {
    process.kill(osPid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
