import { statSync } from 'node:fs';
import path from 'node:path';
import { Process, parseUpid, type Runtime, type Timer, type UPID } from '@tessera/process';
import type { Envelope, Messages } from '@tessera/protocol';
import { rlimitsFromEnvironment, type Rlimits } from './command-line.js';
import { CommandExecutor, DEFAULT_SHUTDOWN_GRACE_MS, SHUTDOWN_ACK_WAIT_MS } from './command-executor.js';
import { TESSERA_RECOVERY_TIMEOUT_MS, TESSERA_RLIMIT_CPU_SECONDS, TESSERA_RLIMIT_DATA_BYTES, TESSERA_RLIMIT_NOFILE, recoveryTimeoutFrom } from './environment.js';
import type { TaskLauncher } from './task-launcher.js';

/** How to build an executor host. */
export interface ExecutorHostOptions {
  /** The runtime the host runs in: its command executors are spawned there too. */
  runtime: Runtime;
  /** Called when the host has run no executor for `idleMs`, and after a SHUTDOWN. */
  onIdle: () => void;
  /** Default 30 s. */
  idleMs?: number;
  /** Process name (default `executor-host`). */
  name?: string;
  /** Starts task processes (a fake one in tests). */
  launcher?: TaskLauncher;
}

/** How long past the grace periods a shutdown waits before it terminates executors outright. */
const SHUTDOWN_SLACK_MS = 1_000;
/** Settings for the executor that travel in the Spawn's environment, not passed on to tasks. */
const EXECUTOR_VARIABLES = new Set([TESSERA_RLIMIT_DATA_BYTES, TESSERA_RLIMIT_CPU_SECONDS, TESSERA_RLIMIT_NOFILE, TESSERA_RECOVERY_TIMEOUT_MS]);
/**
 * Executors spawned per runtime, for their names: an idle host may be replaced by a new one in the
 * same runtime (the agent's in-process launcher) while an executor of the old one still runs.
 */
const spawnedIn = new WeakMap<Runtime, number>();

interface Hosted {
  executor: CommandExecutor;
  shutdownGraceMs: number;
}

/**
 * Runs many command executors in one Node OS process, so that a command task costs the fork of
 * its shell, not a Node start-up. Answers `executor.Spawn` by spawning a CommandExecutor actor
 * (`command-executor-<n>`) in its own runtime, which subscribes to the agent from its own pid.
 * The Spawn's `container` says how every task of the executor is started (its cgroups, limits
 * and namespaces). Rlimits may still come from TESSERA_RLIMIT_* variables of the Spawn's
 * environment, as older agents sent them; they are not passed on to the tasks.
 */
export class ExecutorHost extends Process {
  private readonly runtime: Runtime;
  private readonly idleMs: number;
  private readonly onIdle: () => void;
  private readonly launcher: TaskLauncher | undefined;
  private readonly hosted = new Map<string, Hosted>();
  private idleTimer: Timer | undefined;
  private shuttingDown: Promise<void> | undefined;
  private finished = false;

  constructor(options: ExecutorHostOptions) {
    super(options.name ?? 'executor-host');
    const idleMs = options.idleMs ?? 30_000;
    if (!(Number.isFinite(idleMs) && idleMs >= 0)) throw new Error(`idleMs must be >= 0, got ${idleMs}`);
    this.runtime = options.runtime;
    this.idleMs = idleMs;
    this.onIdle = options.onIdle;
    this.launcher = options.launcher;
  }

  protected initialize(): void {
    this.install('executor.Spawn', this.onSpawn);
    this.install('executor.Event', this.onEvent);
    this.armIdle();
  }

  protected override finalize(): void {
    this.finished = true;
  }

  /** How many executors run here now. */
  get executorCount(): number {
    return this.hosted.size;
  }

  /**
   * Shuts every executor down (each kills its tasks with its shutdown grace period) and resolves
   * when all have exited; an executor still there after the grace periods is terminated outright
   * (its tasks' process groups are SIGKILLed). The host takes no executor after this.
   */
  shutdownAll(): Promise<void> {
    this.shuttingDown ??= this.stopExecutors();
    return this.shuttingDown;
  }

  private onSpawn = (spawn: Messages['executor.Spawn'], message: Envelope<'executor.Spawn'>): void => {
    const executorId = spawn.executor_info.executor_id;
    const refuse = (error: string): void => {
      this.logger.log('warn', `refused to spawn executor ${executorId.value}: ${error}`, { pid: this.pid, from: message.from, executor: executorId.value });
      this.reply(message, 'executor.Spawned', { executor_id: executorId, error });
    };
    const key = `${spawn.framework_id.value}\n${executorId.value}`;
    const checked = this.checkSpawn(spawn, key);
    if (typeof checked === 'string') return refuse(checked);
    // Synchronous: a stat is microseconds, while an awaited one holds the mailbox behind the
    // thread pool's queue (task log files), and Spawns pile up behind it.
    try {
      if (!statSync(spawn.directory).isDirectory()) return refuse(`sandbox ${spawn.directory} is not a directory`);
    } catch (err) {
      return refuse(`sandbox ${spawn.directory}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const shutdownGraceMs = spawn.shutdown_grace_period_ms ?? DEFAULT_SHUTDOWN_GRACE_MS;
    const n = spawnedIn.get(this.runtime) ?? 0;
    spawnedIn.set(this.runtime, n + 1);
    let executor: CommandExecutor;
    try {
      executor = this.runtime.spawn(new CommandExecutor({
        name: `command-executor-${n}`,
        agent: spawn.agent,
        frameworkId: spawn.framework_id.value,
        executorId: executorId.value,
        directory: spawn.directory,
        environment: checked.environment,
        rlimits: checked.rlimits,
        ...(spawn.container === undefined ? {} : { container: spawn.container }),
        shutdownGracePeriodMs: shutdownGraceMs,
        recoveryTimeoutMs: checked.recoveryTimeoutMs,
        launcher: this.launcher,
        ...(spawn.recovered_tasks === undefined ? {} : { recoveredTasks: spawn.recovered_tasks }),
      }));
    } catch (err) {
      return refuse((err as Error).message);
    }
    this.hosted.set(key, { executor, shutdownGraceMs });
    this.idleTimer?.cancel();
    this.idleTimer = undefined;
    void this.runtime.wait(executor.pid).then(() => this.executorExited(key, executor));
    this.logger.log('debug', `spawned executor ${executorId.value} at ${executor.pid}`, { pid: this.pid, executor: executorId.value, at: executor.pid, agent: spawn.agent });
    this.reply(message, 'executor.Spawned', { executor_id: executorId, pid: executor.pid });
  };

  private onEvent = (event: Messages['executor.Event'], message: Envelope<'executor.Event'>): void => {
    if (event.type !== 'SHUTDOWN') {
      this.logger.log('warn', `ignored ${event.type} sent to the executor host by ${message.from}`, { pid: this.pid, from: message.from });
      return;
    }
    this.logger.log('info', `shutting down every executor, as ${message.from} asks`, { pid: this.pid, from: message.from });
    // Not awaited: the mailbox stays open, so that Spawns meanwhile are refused at once.
    void this.shutdownAll().then(() => this.onIdle());
  };

  /** What the Spawn asks for, or why it cannot be had. */
  private checkSpawn(spawn: Messages['executor.Spawn'], key: string):
    { environment: Record<string, string>; rlimits: Rlimits | undefined; recoveryTimeoutMs: number | undefined } | string {
    if (this.shuttingDown !== undefined) return 'the executor host is shutting down';
    if (this.hosted.has(key)) return `executor ${spawn.executor_info.executor_id.value} of framework ${spawn.framework_id.value} already runs here`;
    const declared = spawn.executor_info.framework_id?.value;
    if (declared !== undefined && declared !== spawn.framework_id.value) return `executor_info names framework ${declared}, not ${spawn.framework_id.value}`;
    if (parseUpid(spawn.agent) === undefined) return `agent '${spawn.agent}' is not a pid (name@node)`;
    if (!path.isAbsolute(spawn.directory)) return `sandbox '${spawn.directory}' is not an absolute path`;
    const all: Record<string, string> = {};
    for (const v of spawn.environment?.variables ?? []) all[v.name] = v.value ?? '';
    let rlimits: Rlimits | undefined;
    try {
      rlimits = rlimitsFromEnvironment(all);
    } catch (err) {
      return (err as Error).message;
    }
    const problems: string[] = [];
    const recoveryTimeoutMs = recoveryTimeoutFrom(all, problems);
    if (problems.length > 0) return problems.join('; ');
    const environment = Object.fromEntries(Object.entries(all).filter(([name]) => !EXECUTOR_VARIABLES.has(name)));
    return { environment, rlimits, recoveryTimeoutMs };
  }

  private executorExited(key: string, executor: CommandExecutor): void {
    if (this.hosted.get(key)?.executor === executor) this.hosted.delete(key);
    if (!this.finished) this.armIdle();
  }

  private armIdle(): void {
    if (this.hosted.size > 0 || this.shuttingDown !== undefined || this.idleTimer !== undefined) return;
    this.idleTimer = this.delay(this.idleMs, () => {
      this.idleTimer = undefined;
      if (this.hosted.size === 0 && this.shuttingDown === undefined) this.onIdle();
    });
  }

  private async stopExecutors(): Promise<void> {
    this.idleTimer?.cancel();
    this.idleTimer = undefined;
    const all = [...this.hosted.values()];
    if (all.length === 0) return;
    const longest = Math.max(...all.map((h) => h.shutdownGraceMs));
    const pids: UPID[] = all.map((h) => h.executor.pid);
    const backstop = this.finished ? undefined : this.delay(longest + SHUTDOWN_ACK_WAIT_MS + SHUTDOWN_SLACK_MS, () => {
      for (const pid of pids) this.runtime.terminate(pid, { immediately: true });
    });
    await Promise.all(all.map(async ({ executor }) => {
      await this.runtime.dispatch(executor.pid, () => executor.shutdown()).catch(() => undefined);
      await this.runtime.wait(executor.pid);
    }));
    backstop?.cancel();
  }
}
