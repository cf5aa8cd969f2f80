import path from 'node:path';
import type { ContainerLaunch } from '@tessera/protocol';
import type { Timer, UPID } from '@tessera/process';
import type { FrameworkInfo, KillPolicy, TaskInfo, TaskState } from '@tessera/protocol';
import { checkRlimits, commandLine, describeExit, gracePeriodMs, type ExitStatus, type Rlimits } from './command-line.js';
import { MESOS_EXECUTOR_ID, MESOS_FRAMEWORK_ID, MESOS_SANDBOX, MESOS_TASK_ID, TESSERA_SANDBOX } from './environment.js';
import { ExecutorDriver } from './executor-driver.js';
import type { HealthReport } from './health/health-checker.js';
import { TaskHealthChecks } from './health/task-health.js';
import { processLauncher, type TaskExit, type TaskLauncher } from './task-launcher.js';

/** How to build a command executor. */
export interface CommandExecutorOptions {
  /** Process name (default `command-executor`). */
  name?: string;
  agent: UPID;
  frameworkId: string;
  executorId: string;
  /** The sandbox: tasks run here, and append to `stdout` and `stderr` here. */
  directory: string;
  /** Variables for every task, over the executor's own environment. */
  environment?: Record<string, string>;
  rlimits?: Rlimits;
  /** The container every task is born in (the agent's isolators' launch plan). */
  container?: ContainerLaunch;
  /** Grace period of the kills a SHUTDOWN makes (default 5 s, Mesos's executor shutdown grace). */
  shutdownGracePeriodMs?: number;
  /** How long to keep resubscribing to a lost agent (default 15 min). */
  recoveryTimeoutMs?: number;
  /** Starts and signals task processes; a fake one in tests. */
  launcher?: TaskLauncher;
  /** Tasks a previous incarnation started (see executor.Spawn's recovered_tasks): watched, not launched. */
  recoveredTasks?: TaskInfo[];
}

/** Mesos's `--executor_shutdown_grace_period`. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 5_000;
/** After a SHUTDOWN, how long terminal updates may wait for their acknowledgement before the executor exits anyway. */
export const SHUTDOWN_ACK_WAIT_MS = 1_000;

type Phase = 'running' | 'killing' | 'terminal';

interface CommandTask {
  info: TaskInfo;
  group: TaskGroup | undefined;
  /** The process group leader; undefined until spawned (or when the spawn failed). */
  pid: number | undefined;
  phase: Phase;
  killRequested: boolean;
  escalation: Timer | undefined;
  escalateAt: number | undefined;
  terminalUuid: string | undefined;
  acknowledged: boolean;
}

interface TaskGroup {
  ids: string[];
  /** A member failed or was killed: the rest are killed, and members not started never start. */
  broken: boolean;
}

/**
 * Mesos's built-in command executor, on the ExecutorDriver: runs each task's command as the
 * leader of its own process group in the sandbox, reports TASK_STARTING, TASK_RUNNING and how it
 * ended; kills with SIGTERM to the group, then SIGKILL after the grace period. Task groups run as
 * Mesos's default executor runs them: a member that fails or is killed takes the others down.
 * Once every task has ended and the agent has acknowledged each terminal update, it exits.
 */
export class CommandExecutor extends ExecutorDriver {
  readonly directory: string;
  private readonly rlimits: Rlimits | undefined;
  private readonly container: ContainerLaunch | undefined;
  private readonly shutdownGraceMs: number;
  private readonly launcher: TaskLauncher;
  private readonly baseEnvironment: Record<string, string>;
  private readonly tasks = new Map<string, CommandTask>();
  private readonly health: TaskHealthChecks;
  /** From SUBSCRIBED: its capabilities say whether the framework wants TASK_KILLING. */
  private frameworkInfo: FrameworkInfo | undefined;
  private readonly recoveredTasks: TaskInfo[];
  private shuttingDown = false;
  private exiting: Timer | undefined;
  private stopping = false;
  private finished = false;

  constructor(options: CommandExecutorOptions) {
    super({
      name: options.name ?? 'command-executor',
      agent: options.agent,
      frameworkId: options.frameworkId,
      executorId: options.executorId,
      recoveryTimeoutMs: options.recoveryTimeoutMs,
      callbacks: {
        subscribed: (info) => { this.frameworkInfo = info.framework_info; },
        launch: (task) => this.launchTask(task, undefined),
        launchGroup: (tasks) => this.launchGroup(tasks),
        kill: (taskId, policy) => this.killTaskById(taskId, policy),
        acknowledged: (taskId, uuid) => this.taskAcknowledged(taskId, uuid),
        shutdown: () => this.shutdown(),
      },
    });
    if (typeof options.directory !== 'string' || !path.isAbsolute(options.directory)) {
      throw new Error(`a command executor needs an absolute sandbox directory, got '${options.directory}'`);
    }
    const grace = options.shutdownGracePeriodMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
    if (!(Number.isFinite(grace) && grace >= 0)) throw new Error(`shutdownGracePeriodMs must be >= 0, got ${grace}`);
    this.directory = options.directory;
    this.rlimits = options.rlimits === undefined ? undefined : checkRlimits(options.rlimits);
    this.container = options.container;
    this.shutdownGraceMs = grace;
    this.launcher = options.launcher ?? processLauncher;
    this.recoveredTasks = options.recoveredTasks ?? [];
    this.health = new TaskHealthChecks({
      launcher: this.launcher,
      directory: options.directory,
      container: options.container,
      scheduler: { now: () => this.clock.now(), delay: (ms, fn) => this.delay(ms, fn), whenSettled: (p, fn) => this.whenSettled(p, fn) },
    });
    // Built once: a task's environment is the launcher's own, then this, then its own variables.
    this.baseEnvironment = {
      ...options.environment,
      [MESOS_FRAMEWORK_ID]: options.frameworkId,
      [MESOS_EXECUTOR_ID]: options.executorId,
      [MESOS_SANDBOX]: options.directory,
      [TESSERA_SANDBOX]: options.directory,
    };
  }

  protected override initialize(): void {
    super.initialize();
    for (const info of this.recoveredTasks) this.adoptTask(info);
  }

  /**
   * Watches again a task whose process outlived the previous executor: it reports only how the
   * task ends (its RUNNING is the agent's already). Health checks are not resumed.
   */
  private adoptTask(info: TaskInfo): void {
    const id = info.task_id.value;
    const task = this.newTask(info, undefined);
    if (this.launcher.adopt === undefined) {
      return this.taskEnded(task, { state: 'TASK_FAILED', message: 'The task\'s process could not be found again after its agent restarted', reason: 'REASON_EXECUTOR_REREGISTRATION_TIMEOUT' });
    }
    task.pid = this.launcher.adopt(taskKey(this.directory, id), (exit) => this.taskExited(task, exit));
  }

  /** Each task's state as this executor sees it, for tests and introspection. */
  taskPhases(): Record<string, Phase> {
    return Object.fromEntries([...this.tasks].map(([id, t]) => [id, t.phase]));
  }

  /**
   * Kills every task with the shutdown grace period, then exits (once their terminal updates are
   * acknowledged, or SHUTDOWN_ACK_WAIT_MS after the last one). Called on SHUTDOWN, by the host,
   * and when the agent stays lost past the recovery timeout.
   */
  shutdown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    const policy: KillPolicy = { grace_period: { nanoseconds: this.shutdownGraceMs * 1_000_000 } };
    for (const task of this.tasks.values()) this.killTask(task, policy);
    this.exitWhenDone();
  }

  protected override finalize(): void {
    this.finished = true;
    this.health.stopAll();
    // Nothing may outlive its executor: a runtime stopped under running tasks kills them.
    for (const task of this.tasks.values()) {
      task.escalation?.cancel();
      if (task.phase !== 'terminal' && task.pid !== undefined) this.launcher.signalGroup(task.pid, 'SIGKILL');
    }
  }

  private launchGroup(infos: TaskInfo[]): void {
    const group: TaskGroup = { ids: infos.map((t) => t.task_id.value), broken: false };
    for (const info of infos) this.launchTask(info, group);
  }

  private launchTask(info: TaskInfo, group: TaskGroup | undefined): void {
    const id = info.task_id.value;
    if (this.tasks.has(id)) {
      this.logger.log('warn', `ignored a second launch of task ${id}`, { pid: this.pid, task: id });
      return;
    }
    const task = this.newTask(info, group);
    if (this.shuttingDown) return this.taskEnded(task, { state: 'TASK_KILLED', message: 'The executor is shutting down', reason: 'REASON_EXECUTOR_TERMINATED' });
    if (group?.broken === true) return this.taskEnded(task, { state: 'TASK_KILLED', message: 'Another task of its group failed or was killed' });
    const line = commandLine(info.command, this.rlimits);
    if ('error' in line) return this.taskEnded(task, { state: 'TASK_FAILED', message: `Task ${id}: ${line.error}`, reason: 'REASON_TASK_INVALID' });
    const healthProblem = this.health.prepare(info);
    if (healthProblem !== undefined) return this.taskEnded(task, { state: 'TASK_FAILED', message: `Task ${id}: ${healthProblem}`, reason: 'REASON_TASK_INVALID' });
    this.report(task, 'TASK_STARTING');
    let pid: number | undefined;
    const env = { ...this.baseEnvironment, ...variables(info), [MESOS_TASK_ID]: id };
    try {
      pid = this.launcher.launch({
        ...line,
        cwd: this.directory,
        env,
        stdoutPath: path.join(this.directory, 'stdout'),
        stderrPath: path.join(this.directory, 'stderr'),
        key: taskKey(this.directory, id),
        ...(this.container === undefined ? {} : { container: this.container }),
      }, (exit) => this.taskExited(task, exit), () => {
        // RUNNING once the process exists (a spawner may start it a moment after launch returns).
        if (task.phase !== 'running') return;
        this.report(task, 'TASK_RUNNING');
        this.health.start(id, env, (report) => this.healthReported(task, report));
      });
    } catch (err) {
      return this.taskEnded(task, { state: 'TASK_FAILED', message: `Failed to launch: ${(err as Error).message}`, reason: 'REASON_COMMAND_EXECUTOR_FAILED' });
    }
    // No pid: the spawn failed, and its error arrives through taskExited.
    if (pid === undefined) return;
    task.pid = pid;
  }

  private newTask(info: TaskInfo, group: TaskGroup | undefined): CommandTask {
    const task: CommandTask = {
      info, group, pid: undefined, phase: 'running', killRequested: false,
      escalation: undefined, escalateAt: undefined, terminalUuid: undefined, acknowledged: false,
    };
    this.tasks.set(info.task_id.value, task);
    return task;
  }

  private killTaskById(taskId: string, policy: KillPolicy | undefined): void {
    const task = this.tasks.get(taskId);
    if (task === undefined) {
      this.logger.log('warn', `asked to kill unknown task ${taskId}`, { pid: this.pid, task: taskId });
      return;
    }
    this.killTask(task, policy);
  }

  /** SIGTERM to the task's group now, SIGKILL after the grace period; a later kill may only hasten it. */
  private killTask(task: CommandTask, policy: KillPolicy | undefined): void {
    if (task.phase === 'terminal') return;
    const graceMs = gracePeriodMs(policy, task.info.kill_policy);
    const at = this.clock.now() + graceMs;
    if (task.phase === 'killing') {
      if (task.escalateAt !== undefined && at < task.escalateAt) this.escalateAt(task, graceMs, at);
      return;
    }
    task.phase = 'killing';
    task.killRequested = true;
    this.health.stop(task.info.task_id.value);
    // Mesos's executors send TASK_KILLING only to frameworks that said they understand it.
    if (this.frameworkInfo?.capabilities?.some((c) => c.type === 'TASK_KILLING_STATE') === true) this.report(task, 'TASK_KILLING');
    if (task.pid === undefined) return;
    this.launcher.signalGroup(task.pid, 'SIGTERM');
    this.escalateAt(task, graceMs, at);
  }

  private escalateAt(task: CommandTask, graceMs: number, at: number): void {
    task.escalation?.cancel();
    task.escalateAt = at;
    task.escalation = this.delay(graceMs, () => {
      task.escalation = undefined;
      if (task.phase !== 'terminal' && task.pid !== undefined) this.launcher.signalGroup(task.pid, 'SIGKILL');
    });
  }

  /** The leader exited (or never started). Runs on the child's exit event, outside the mailbox. */
  private taskExited(task: CommandTask, exit: TaskExit): void {
    if (this.finished) return;
    // What the leader left behind in its group dies with it, as Mesos's containerizer destroys
    // the container: done at once, while the group id cannot have been reused.
    if (task.pid !== undefined) this.launcher.signalGroup(task.pid, 'SIGKILL');
    const status = 'error' in exit
      ? { state: 'TASK_FAILED' as const, message: `Failed to launch: ${exit.error.message}`, reason: 'REASON_COMMAND_EXECUTOR_FAILED' }
      : describeExit(exit.code, exit.signal, task.killRequested);
    this.taskEnded(task, status);
  }

  private taskEnded(task: CommandTask, status: ExitStatus): void {
    task.phase = 'terminal';
    task.escalation?.cancel();
    task.escalation = undefined;
    // A task its checks killed ends unhealthy, as in Mesos (TASK_KILLED, healthy false, no reason).
    const unhealthy = this.health.finish(task.info.task_id.value) && status.state === 'TASK_KILLED';
    task.terminalUuid = this.report(task, status.state, status.message, status.reason, unhealthy ? false : undefined);
    const group = task.group;
    if (group !== undefined && !group.broken && (status.state === 'TASK_FAILED' || status.state === 'TASK_KILLED')) {
      group.broken = true;
      for (const id of group.ids) {
        const sibling = this.tasks.get(id);
        if (sibling !== undefined && sibling !== task) this.killTask(sibling, undefined);
      }
    }
    this.exitWhenDone();
  }

  private taskAcknowledged(taskId: string, uuid: string): void {
    const task = this.tasks.get(taskId);
    if (task === undefined || task.terminalUuid !== uuid) return;
    task.acknowledged = true;
    this.exitWhenDone();
  }

  /** Exits once every task has ended and its end is acknowledged; after a SHUTDOWN, waits for acks only briefly. */
  private exitWhenDone(): void {
    if (this.finished || this.stopping) return;
    const tasks = [...this.tasks.values()];
    if (this.shuttingDown && tasks.length === 0) return this.exit();
    if (tasks.length === 0 || tasks.some((t) => t.phase !== 'terminal')) return;
    if (tasks.every((t) => t.acknowledged)) return this.exit();
    if (this.shuttingDown) this.exiting ??= this.delay(SHUTDOWN_ACK_WAIT_MS, () => this.exit());
  }

  private exit(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.stop();
  }

  /**
   * A health check's verdict, as Mesos's executors relay it: TASK_RUNNING with `healthy` and
   * REASON_TASK_HEALTH_CHECK_STATUS_UPDATED while the task runs; then the kill it asks for, under
   * the task's kill policy.
   */
  private healthReported(task: CommandTask, report: HealthReport): void {
    if (task.phase !== 'running') return;
    this.report(task, 'TASK_RUNNING', report.healthy ? undefined : report.message, 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED', report.healthy);
    if (!report.healthy && report.kill) this.killTask(task, undefined);
  }

  private report(task: CommandTask, state: TaskState, message?: string, reason?: string, healthy?: boolean): string {
    return this.sendStatusUpdate({
      task_id: task.info.task_id,
      agent_id: task.info.agent_id,
      state,
      ...(message === undefined ? {} : { message }),
      ...(reason === undefined ? {} : { reason }),
      ...(healthy === undefined ? {} : { healthy }),
    });
  }
}

/** A task's name at the spawner, the same for the executor a restarted agent revives. */
function taskKey(directory: string, taskId: string): string {
  return `${directory}#${taskId}`;
}

/** A task's own variables (CommandInfo.environment); a variable without a value is empty. */
function variables(info: TaskInfo): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of info.command?.environment?.variables ?? []) out[v.name] = v.value ?? '';
  return out;
}
