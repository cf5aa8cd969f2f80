import type { Messages, MessageType, TaskInfo } from '@tessera/protocol';
import { UndeliverableError, nodeOf, type AskOptions, type ExitReason, type Logger, type Timer, type UPID } from '@tessera/process';
import type { AgentState, ExecutorRun, Launch } from './agent-state.js';
import { customExecutorEnvironment, spawnEnvironment } from './executor-environment.js';
import { containerLaunch, type Containerizer } from './isolation/containerizer.js';
import type { ContainerSpec, ContainerUsage, LaunchPlan, Limitation } from './isolation/isolator.js';
import type { AgentReason } from './launch-plan.js';
import type { SandboxFetcher } from './fetcher/types.js';
import { describeExit, exitStatusCode } from './os-executor-launcher.js';
import { createSandbox, executorHostLogPath } from './sandbox.js';
import { LostExecutors, networkLoss } from './lost-executors.js';
import type { ExecutorHostLauncher, ExecutorProcess, ExecutorProcessLauncher, NatsSettings } from './types.js';

/** How long an executor host may take to answer `executor.Spawn`. */
const SPAWN_TIMEOUT_MS = 10_000;
/** Time an executor gets past its shutdown grace period before the agent destroys it. */
export const SHUTDOWN_MARGIN_MS = 1_000;

/** Why an executor run ended. */
export interface Termination {
  reason: AgentReason;
  message: string;
}

/** What the supervisor needs of the agent actor it works for. */
export interface SupervisorPort {
  readonly pid: UPID;
  readonly logger: Logger;
  send<K extends MessageType>(to: UPID, type: K, body: Messages[K]): void;
  ask<K extends MessageType, R extends MessageType>(to: UPID, type: K, body: Messages[K], options: AskOptions<R>): Promise<Messages[R]>;
  delay(ms: number, fn: () => void): Timer;
  /** Runs `fn` in the agent's mailbox once `promise` settles (dropped once the agent is gone). */
  whenSettled<T>(promise: Promise<T>, fn: (outcome: { ok: true; value: T } | { ok: false; error: Error }) => void): void;
  /** As whenSettled, for local file system work that ends by itself (a test's settle waits for it). */
  whenIoDone<T>(promise: Promise<T>, fn: (outcome: { ok: true; value: T } | { ok: false; error: Error }) => void): void;
  link(pid: UPID): void;
  unlink(pid: UPID): void;
  /** False once the agent has terminated: a late callback must not act. */
  live(): boolean;
  /** A run is over (its executor gone): the agent settles its tasks and tells the master. */
  ended(run: ExecutorRun, termination: Termination, status: number): void;
}

/** The agent settings the supervisor applies. */
export interface SupervisorSettings {
  workDir: string;
  hostLauncher: ExecutorHostLauncher;
  executorLauncher: ExecutorProcessLauncher;
  registrationTimeoutMs: number;
  gracePeriodMs: number;
  /** Isolates each run: prepared before its executor starts, destroyed when it ends. */
  containerizer: Containerizer;
  nats: NatsSettings | undefined;
  /** Passed to executors: how long they wait for a lost agent. */
  recoveryTimeoutMs: number;
  /** How long a hosted executor hidden by the network has to subscribe again before its run is destroyed. */
  reconnectTimeoutMs: number;
  /** Passed to custom executors: the longest wait between two SUBSCRIBE attempts. */
  subscriptionBackoffMaxMs: number;
  /** Passed to custom executors (MESOS_AGENT_ENDPOINT): `host:port` of the agent's HTTP server. */
  agentEndpoint: string | undefined;
  /** Fills a new run's sandbox before its executor starts; none: nothing is fetched. */
  fetcher?: SandboxFetcher | undefined;
}

/**
 * Starts, watches and ends executor runs for the agent: their sandboxes, the executor host
 * (command and default executors) or OS process (custom ones), the registration and shutdown
 * timers, and the links to their actors. Every way a run can end (actor exit, process exit,
 * timeout, failed start) comes out as one `ended` call to the agent.
 */
export class ExecutorSupervisor {
  private readonly byPid = new Map<UPID, ExecutorRun>();
  private readonly processes = new Map<ExecutorRun, ExecutorProcess>();
  private readonly registrationTimers = new Map<ExecutorRun, Timer>();
  private readonly shutdownTimers = new Map<ExecutorRun, Timer>();
  private readonly terminations = new Map<ExecutorRun, Termination>();
  /** Runs whose sandbox is being filled: aborted when the run ends first. */
  private readonly fetches = new Map<ExecutorRun, AbortController>();
  private readonly lost: LostExecutors;

  constructor(private readonly port: SupervisorPort, private readonly settings: SupervisorSettings, private readonly state: AgentState) {
    this.lost = new LostExecutors(port, settings.reconnectTimeoutMs, (run) => {
      if (this.current(run)) {
        this.destroy(run, { reason: 'REASON_EXECUTOR_REREGISTRATION_TIMEOUT', message: `Executor out of reach over the network for ${settings.reconnectTimeoutMs} ms` });
      }
    });
  }

  /**
   * Creates the run's sandbox, fetches into it what `launch` needs, prepares its container and
   * starts its executor, which has the registration timeout to subscribe. The timeout counts the
   * fetch, as in Mesos, so a fetch that stalls ends the run too. Each step runs off the agent's
   * loop and goes on in its mailbox; a run that ended meanwhile (killed, shut down, timed out)
   * goes no further.
   */
  boot(run: ExecutorRun, agentId: string, launch: Launch): void {
    this.registrationTimers.set(run, this.port.delay(this.settings.registrationTimeoutMs, () => {
      if (!this.current(run) || run.phase !== 'launching') return;
      this.destroy(run, { reason: 'REASON_EXECUTOR_REGISTRATION_TIMEOUT', message: `Executor did not register within ${this.settings.registrationTimeoutMs} ms` });
    }));
    this.next(run, createSandbox(run.directory), `Failed to create the sandbox ${run.directory}`, true, () => {
      const abort = new AbortController();
      const fetching = this.settings.fetcher?.fetch({ run, launch, agentId }, abort.signal);
      if (fetching === undefined) {
        this.start(run, agentId);
        return;
      }
      this.fetches.set(run, abort);
      this.next(run, fetching, 'Failed to launch container', false, () => this.start(run, agentId), () => this.fetches.delete(run));
    });
  }

  /** Prepares the run's container, then starts its executor inside it. */
  private start(run: ExecutorRun, agentId: string): void {
    this.next(run, this.settings.containerizer.prepare(this.containerSpec(run)), 'Failed to launch container', true, (plan) => {
      if (run.kind === 'custom') this.startProcess(run, agentId, plan);
      else void this.spawnHosted(run, agentId, plan);
    });
  }

  /**
   * Goes on with a run's launch once `step` has settled, in the agent's mailbox: `then` with its
   * value, or the run destroyed with REASON_CONTAINER_LAUNCH_FAILED when it failed. A run that
   * ended meanwhile goes no further (its container's destroy waits for a preparation in flight).
   * `io`: the step is local file system work (not a fetch, which may wait on the network).
   */
  private next<T>(run: ExecutorRun, step: Promise<T>, failure: string, io: boolean, then: (value: T) => void, settled?: () => void): void {
    const go = (outcome: { ok: true; value: T } | { ok: false; error: Error }): void => {
      settled?.();
      if (!this.current(run) || run.phase === 'terminating') return;
      if (outcome.ok) then(outcome.value);
      else this.destroy(run, { reason: 'REASON_CONTAINER_LAUNCH_FAILED', message: `${failure}: ${outcome.error.message}` });
    };
    if (io) this.port.whenIoDone(step, go);
    else this.port.whenSettled(step, go);
  }

  /**
   * The run's container as isolators see it: the executor's resources and its tasks' (ended ones
   * included: a task's limit still names what it had), and the rlimits of a command task's
   * ContainerInfo, or else the executor's.
   */
  containerSpec(run: ExecutorRun): ContainerSpec {
    const tasks = [...run.taskIds].map((id) => this.state.task(run.frameworkId, id)).filter((t) => t !== undefined);
    const container = run.kind === 'command' ? tasks[0]?.info.container : run.info.container;
    const spec: ContainerSpec = {
      containerId: run.runId,
      frameworkId: run.frameworkId,
      executorId: run.executorId,
      directory: run.directory,
      resources: [...(run.info.resources ?? []), ...tasks.flatMap((t) => t.info.resources)],
      executorKind: run.kind,
    };
    if (container?.rlimit_info?.rlimits !== undefined) spec.rlimits = container.rlimit_info.rlimits;
    if (container !== undefined) spec.containerType = container.type;
    return spec;
  }

  /** Tasks joined (or left) a running executor: its container's limits follow. */
  resourcesChanged(run: ExecutorRun): void {
    try {
      this.settings.containerizer.update(this.containerSpec(run));
    } catch (e) {
      this.port.logger.log('warn', `could not update the limits of container ${run.runId}: ${(e as Error).message}`, { executor: run.executorId });
    }
  }

  /** A limit the run's container broke, if any. */
  limitation(run: ExecutorRun): Limitation | undefined {
    try {
      return this.settings.containerizer.limitation(this.containerSpec(run));
    } catch (e) {
      this.port.logger.log('warn', `could not read the limits of container ${run.runId}: ${(e as Error).message}`, { executor: run.executorId });
      return undefined;
    }
  }

  /** What the run's container uses now, as its isolators measure it (empty when none does). */
  usage(run: ExecutorRun): ContainerUsage {
    try {
      return this.settings.containerizer.usage(this.containerSpec(run));
    } catch (e) {
      this.port.logger.log('warn', `could not read the usage of container ${run.runId}: ${(e as Error).message}`, { executor: run.executorId });
      return {};
    }
  }

  /** The executor subscribed from `pid`: watch that actor, and stop waiting for it. */
  subscribed(run: ExecutorRun, pid: UPID): void {
    this.registrationTimers.get(run)?.cancel();
    this.registrationTimers.delete(run);
    if (this.lost.has(run)) this.port.logger.log('info', `executor ${run.executorId} is back at ${pid}`, { framework: run.frameworkId, executor: run.executorId });
    this.lost.found(run);
    this.watch(run, pid);
  }

  /** The run an executor actor belongs to. */
  runOf(pid: UPID): ExecutorRun | undefined {
    return this.byPid.get(pid);
  }

  /**
   * Asks a run to shut down: SHUTDOWN to a subscribed executor, destroyed when it is still
   * there after its grace period; one that never subscribed is destroyed at once.
   */
  shutdown(run: ExecutorRun, termination: Termination): void {
    if (run.phase === 'terminating') return;
    const subscribed = run.phase === 'running';
    run.phase = 'terminating';
    if (!subscribed || run.pid === undefined) {
      this.destroy(run, termination);
      return;
    }
    this.port.send(run.pid, 'executor.Event', { type: 'SHUTDOWN' });
    const waitMs = this.settings.gracePeriodMs + SHUTDOWN_MARGIN_MS;
    this.shutdownTimers.set(run, this.port.delay(waitMs, () => {
      if (this.current(run)) this.destroy(run, { reason: termination.reason, message: `${termination.message}; still running ${waitMs} ms after SHUTDOWN` });
    }));
  }

  /**
   * Ends a run now: SIGKILL to a custom executor's process group (its exit ends the run), or
   * SHUTDOWN to a hosted executor, whose run ends at once (the host stops the actor).
   */
  destroy(run: ExecutorRun, termination: Termination): void {
    if (!this.terminations.has(run)) this.terminations.set(run, termination);
    const process = this.processes.get(run);
    if (process !== undefined) {
      process.kill('SIGKILL');
      return;
    }
    if (run.pid !== undefined) this.port.send(run.pid, 'executor.Event', { type: 'SHUTDOWN' });
    this.terminated(run, -1, 'destroyed');
  }

  /**
   * A linked actor exited; false when it was no executor's. A hosted executor hidden by the
   * network (its host still runs, as far as the agent knows) is asked to come back instead.
   */
  actorExited(pid: UPID, reason: ExitReason): boolean {
    const run = this.byPid.get(pid);
    if (run === undefined) return false;
    const process = this.processes.get(run);
    if (process === undefined && networkLoss(reason) && run.phase !== 'terminating' && this.settings.hostLauncher.gone?.(pid) !== true) {
      this.lost.lostSight(run, pid, reason);
      return true;
    }
    this.byPid.delete(pid);
    if (process !== undefined) {
      // A custom executor whose actor is gone is of no use: end its process; its exit ends the run.
      if (!this.terminations.has(run)) this.terminations.set(run, { reason: 'REASON_EXECUTOR_TERMINATED', message: `Executor's actor ${pid} went away (${reason})` });
      process.kill('SIGKILL');
    } else {
      this.terminated(run, reason === 'terminated' ? 0 : -1, `exited (${reason})`);
    }
    return true;
  }

  private startProcess(run: ExecutorRun, agentId: string, plan: LaunchPlan): void {
    const environment = customExecutorEnvironment({
      base: process.env,
      command: run.info.command!,
      frameworkId: run.frameworkId,
      executorId: run.executorId,
      directory: run.directory,
      agent: this.port.pid,
      nats: this.settings.nats,
      shutdownGracePeriodMs: this.settings.gracePeriodMs,
      recoveryTimeoutMs: this.settings.recoveryTimeoutMs,
      agentId,
      checkpoint: this.state.frameworkInfo(run.frameworkId)?.checkpoint === true,
      subscriptionBackoffMaxMs: this.settings.subscriptionBackoffMaxMs,
      ...(this.settings.agentEndpoint === undefined ? {} : { agentEndpoint: this.settings.agentEndpoint }),
    });
    const child = this.settings.executorLauncher.launch({ command: run.info.command!, environment, directory: run.directory, container: containerLaunch(plan) });
    this.processes.set(run, child);
    void child.exited.then((status) => {
      if (!this.port.live()) return;
      this.processes.delete(run);
      if (status.error !== undefined && !this.terminations.has(run)) {
        this.terminations.set(run, { reason: 'REASON_CONTAINER_LAUNCH_FAILED', message: `Failed to launch the executor: ${status.error}` });
      }
      this.terminated(run, exitStatusCode(status), describeExit(status));
    });
  }

  /**
   * After a restart: a run whose executor lived in the agent's own process died with it, while
   * its tasks live on under the agent's spawner. Starts its executor again on those tasks (it
   * watches them, launching nothing); false for a run whose executor lives elsewhere.
   */
  revive(run: ExecutorRun, agentId: string): boolean {
    if (run.kind === 'custom' || run.pid === undefined || nodeOf(run.pid) !== nodeOf(this.port.pid)) return false;
    const recovered = this.state.liveTasks(run).filter((t) => !t.queued).map((t) => t.info);
    this.port.logger.log('info', `reviving executor ${run.executorId} on ${recovered.length} running tasks`, { framework: run.frameworkId, executor: run.executorId });
    // Its container is there already; the plan is only for tasks it may launch from now on.
    this.port.whenIoDone(this.settings.containerizer.prepare(this.containerSpec(run)), (outcome) => {
      if (!this.current(run)) return;
      if (!outcome.ok) this.port.logger.log('warn', `could not prepare container ${run.runId} again: ${outcome.error.message}`, { executor: run.executorId });
      void this.spawnHosted(run, agentId, outcome.ok ? outcome.value : {}, recovered);
    });
    return true;
  }

  private async spawnHosted(run: ExecutorRun, agentId: string, plan: LaunchPlan, recovered?: TaskInfo[]): Promise<void> {
    const body: Messages['executor.Spawn'] = {
      framework_id: { value: run.frameworkId },
      executor_info: run.info,
      directory: run.directory,
      agent: this.port.pid,
      // The limits travel in `container`, with the rest of the plan.
      environment: spawnEnvironment(run.frameworkId, run.executorId, run.directory, {}, this.settings.recoveryTimeoutMs),
      shutdown_grace_period_ms: this.settings.gracePeriodMs,
      container: containerLaunch(plan),
      ...(recovered === undefined ? {} : { recovered_tasks: recovered }),
    };
    const logFile = executorHostLogPath(this.settings.workDir, agentId, run.frameworkId);
    let spawned: Messages['executor.Spawned'];
    try {
      spawned = await this.askHost(run.frameworkId, body, logFile);
    } catch (e) {
      spawned = { executor_id: { value: run.executorId }, error: (e as Error).message };
    }
    if (!this.port.live()) return;
    if (!this.current(run)) {
      // The run ended while the host was starting it: the executor must not live on alone.
      if (spawned.pid !== undefined) this.port.send(spawned.pid, 'executor.Event', { type: 'SHUTDOWN' });
      return;
    }
    if (spawned.error !== undefined || spawned.pid === undefined) {
      this.destroy(run, { reason: 'REASON_CONTAINER_LAUNCH_FAILED', message: `Failed to launch the executor: ${spawned.error ?? 'the host gave no pid'}` });
      return;
    }
    // The SUBSCRIBE may have come first (a reply can overtake it); then the pid is known already.
    if (run.pid === undefined) this.watch(run, spawned.pid);
  }

  /** Asks the framework's host to spawn; a host that is gone (idle) is replaced once. */
  private async askHost(frameworkId: string, body: Messages['executor.Spawn'], logFile: string): Promise<Messages['executor.Spawned']> {
    for (let attempt = 0; ; attempt += 1) {
      const host = await this.settings.hostLauncher.hostFor(frameworkId, { logFile });
      try {
        return await this.port.ask(host, 'executor.Spawn', body, { expect: 'executor.Spawned', timeoutMs: SPAWN_TIMEOUT_MS });
      } catch (e) {
        if (attempt > 0 || !(e instanceof UndeliverableError)) throw e;
        this.port.logger.log('info', `executor host ${host} is gone (${e.reason}): starting another`, { framework: frameworkId });
        this.settings.hostLauncher.forget?.(frameworkId, host);
      }
    }
  }

  private watch(run: ExecutorRun, pid: UPID): void {
    if (run.pid !== undefined && run.pid !== pid) {
      this.byPid.delete(run.pid);
      this.port.unlink(run.pid);
    }
    run.pid = pid;
    this.byPid.set(pid, run);
    this.port.link(pid);
  }

  private current(run: ExecutorRun): boolean {
    return this.state.executor(run.frameworkId, run.executorId) === run;
  }

  /** The one way out of a run: clears its watches and hands it to the agent. */
  private terminated(run: ExecutorRun, status: number, how: string): void {
    if (!this.current(run)) return;
    this.registrationTimers.get(run)?.cancel();
    this.registrationTimers.delete(run);
    this.shutdownTimers.get(run)?.cancel();
    this.shutdownTimers.delete(run);
    this.fetches.get(run)?.abort();
    this.fetches.delete(run);
    this.processes.delete(run);
    this.lost.found(run);
    if (run.pid !== undefined && this.byPid.get(run.pid) === run) {
      this.byPid.delete(run.pid);
      this.port.unlink(run.pid);
    }
    const spec = this.containerSpec(run);
    // A container that broke a limit ended because of it (its executor's death is the symptom);
    // asked only when the reason matters: tasks left to fail, or a custom executor's exit.
    const asks = !this.terminations.has(run) && (run.kind === 'custom' || this.state.liveTasks(run).length > 0);
    const limitation = asks ? this.limitation(run) : undefined;
    const termination = this.terminations.get(run) ?? limitation ?? { reason: 'REASON_EXECUTOR_TERMINATED', message: `Executor ${how}` };
    this.terminations.delete(run);
    this.port.ended(run, termination, status);
    // Whatever is left of the container (a process that left its group) goes with it.
    this.settings.containerizer.destroy(spec).catch((e: Error) =>
      this.port.logger.log('error', e.message, { framework: run.frameworkId, executor: run.executorId }));
  }
}
