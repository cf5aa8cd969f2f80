import {
  TERMINAL_TASK_STATES,
  isPartitionAware,
  updateUuid,
  uuid,
  type AgentInfo,
  type Attribute,
  type Envelope,
  type FrameworkInfo,
  type LeaderRecord,
  type Messages,
  type Resources,
  type TaskState,
  type TaskStatus,
} from '@tessera/protocol';
import { LeaderTracker, StaticMasterDetector, type MasterDetector } from '@tessera/leader';
import { Process, type ExitReason, type Timer, type UPID } from '@tessera/process';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { AgentState, type ExecutorRun, type Launch } from './agent-state.js';
import { readCheckpoint } from './checkpoint-reader.js';
import { CheckpointWriter } from './checkpoint-writer.js';
import { parseAttributes } from './attributes.js';
import { Backoff } from './backoff.js';
import { ExecutorSupervisor, type Termination } from './executor-supervisor.js';
import { detectHostCapabilities, type HostCapabilities } from './isolation/host-capabilities.js';
import { DEFAULT_PIDS_LIMIT } from './isolation/cgroups-pids.js';
import type { Limitation } from './isolation/isolator.js';
import { buildContainerizer, DEFAULT_CGROUPS_ROOT, POSIX_ISOLATION, type IsolationView } from './isolation/registry.js';
import type { Containerizer } from './isolation/containerizer.js';
import { DEFAULT_FETCHER_CACHE_SIZE_BYTES, UriFetcher } from './fetcher/uri-fetcher.js';
import type { SandboxFetcher } from './fetcher/types.js';
import { DEFAULT_GC_DELAY_MS, DEFAULT_GC_DISK_HEADROOM, gcPolicy } from './gc/gc-policy.js';
import { SandboxCollector, statfsDiskUsage } from './gc/sandbox-collector.js';
import { agentStatus, planGroup, planTask, type AgentReason, type PlanResult } from './launch-plan.js';
import { OsExecutorProcessLauncher } from './os-executor-launcher.js';
import { planRecovery, readBootId, restore, type RecoveryPlan } from './recovery.js';
import { agentResources, readHostFacts } from './resources-detection.js';
import { sandboxPath } from './sandbox.js';
import {
  AGENT_VERSION,
  DEFAULT_EXECUTOR_RECONNECT_TIMEOUT_MS,
  DEFAULT_EXECUTOR_REGISTRATION_TIMEOUT_MS,
  DEFAULT_EXECUTOR_REREGISTRATION_TIMEOUT_MS,
  DEFAULT_EXECUTOR_SHUTDOWN_GRACE_PERIOD_MS,
  DEFAULT_MASTER,
  DEFAULT_RECOVERY_TIMEOUT_MS,
  DEFAULT_REGISTRATION_BACKOFF_FACTOR_MS,
  DEFAULT_REGISTRATION_BACKOFF_MAX_MS,
  DEFAULT_RLIMIT_NOFILE,
  type AgentOptions,
} from './types.js';
import { UpdateStreams } from './update-streams.js';
import { AgentOperator } from './operator/agent-operator.js';
import { CompletedHistory } from './operator/completed-history.js';

/**
 * The agent actor (Mesos's `Slave`): registers with the master, runs tasks in executors, and
 * carries status updates reliably from executors to the master. Bookkeeping lives in AgentState
 * and UpdateStreams, executor lifecycles in ExecutorSupervisor; this class wires the messages.
 */
export class Agent extends Process {
  private readonly state = new AgentState();
  private readonly streams: UpdateStreams;
  private readonly supervisor: ExecutorSupervisor;
  /** The isolation this agent applies, as /state shows it. */
  private readonly isolation: IsolationView;
  private readonly containerizer: Containerizer;
  /** Polls containers for broken limits (only when an isolator can report one). */
  private readonly limitationPollMs: number | undefined;
  /** Removes finished sandboxes after the GC delay. */
  private readonly collector: SandboxCollector;
  /** Fills new sandboxes (its counts go to the metrics). */
  private readonly fetcher: SandboxFetcher;
  private readonly backoff: Backoff;
  /** Who leads the masters: every master message must pass its `admits`. */
  private readonly tracker: LeaderTracker;
  private readonly detector: MasterDetector;
  private stopDetecting: (() => void) | undefined;
  /** The master this agent is linked to (to hear of its exit). */
  private linkedMaster: UPID | undefined;
  private readonly checkpoint: CheckpointWriter | undefined;
  private readonly recovery: RecoveryPlan;
  private readonly bootId: string;
  private readonly reregistrationTimeoutMs: number;
  /** Recovered executor runs, while the agent waits for them to subscribe again. */
  private recovering: Set<ExecutorRun> | undefined;
  private readonly resources: Resources;
  private readonly attributes: Attribute[];
  private readonly hostname: string;
  private agentId: string | undefined;
  /** Registered with the master and hearing its pings. */
  private connected = false;
  private registrationTimer: Timer | undefined;
  private pingTimer: Timer | undefined;
  private pingTimeoutMs = 0;
  private retryTimer: { timer: Timer; at: number } | undefined;
  private stopping: Promise<void> | undefined;
  private whenAllGone: (() => void) | undefined;
  private finished = false;
  /** What ended here, for the operator's views. */
  private readonly history = new CompletedHistory();
  private startTime = 0;
  private operatorViews: AgentOperator | undefined;

  /** @throws on bad options (`--resources` or `--attributes` syntax, non-positive timeouts). */
  constructor(private readonly options: AgentOptions) {
    super(options.name ?? 'agent');
    this.streams = new UpdateStreams(options.statusUpdateRetryMinMs);
    if (options.workDir.trim() === '') throw new Error('the agent needs a work directory');
    this.detector = options.detector ?? new StaticMasterDetector(options.master ?? DEFAULT_MASTER);
    this.tracker = new LeaderTracker(this.detector.leader);
    this.bootId = options.bootId ?? readBootId();
    this.reregistrationTimeoutMs = positive('executorReregistrationTimeoutMs', options.executorReregistrationTimeoutMs, DEFAULT_EXECUTOR_REREGISTRATION_TIMEOUT_MS);
    if (options.checkpointDir === undefined) {
      this.recovery = { kind: 'fresh', why: 'checkpointing is off', wipe: false };
    } else {
      // Read here, not in initialize: a corrupt checkpoint is the caller's error to see.
      const found = readCheckpoint(options.checkpointDir);
      this.checkpoint = new CheckpointWriter(options.checkpointDir, found.frameworks, (problem) =>
        this.logger.log('error', `not checkpointed: ${problem}`, { agent: this.agentId }));
      this.recovery = planRecovery(found, this.bootId);
    }
    this.hostname = options.hostname ?? os.hostname();
    this.resources = agentResources(options.resources, readHostFacts(options.workDir));
    this.attributes = options.attributes === undefined ? [] : parseAttributes(options.attributes);
    this.backoff = new Backoff(
      positive('registrationBackoffFactorMs', options.registrationBackoffFactorMs, DEFAULT_REGISTRATION_BACKOFF_FACTOR_MS),
      positive('registrationBackoffMaxMs', options.registrationBackoffMaxMs, DEFAULT_REGISTRATION_BACKOFF_MAX_MS),
    );
    const agent = this;
    const { containerizer, view } = buildContainerizer({
      // The library's default is Mesos's (posix, nothing to detect); 'auto' takes what the host has.
      ...(options.isolation === undefined ? { isolation: POSIX_ISOLATION, launcher: 'posix' as const } : options.isolation === 'auto' ? {} : { isolation: options.isolation }),
      ...(options.launcher === undefined ? {} : { launcher: options.launcher }),
      cgroupsRoot: agentCgroupsRoot(options.cgroupsRoot ?? DEFAULT_CGROUPS_ROOT, options.checkpointDir ?? options.workDir),
      settings: {
        pidsLimit: options.cgroupsPidsLimit ?? DEFAULT_PIDS_LIMIT,
        rlimitNofile: options.rlimitNofile ?? DEFAULT_RLIMIT_NOFILE,
        rlimitCpuSeconds: options.rlimitCpuSeconds,
        enforceMemoryRlimit: options.enforceMemoryRlimit ?? true,
        enableCfs: options.cgroupsEnableCfs ?? false,
        enforceContainerDiskQuota: options.enforceContainerDiskQuota,
        containerDiskWatchIntervalMs: options.containerDiskWatchIntervalMs,
        enforceContainerPorts: options.enforceContainerPorts,
        containerPortsWatchIntervalMs: options.containerPortsWatchIntervalMs,
      },
      host: options.hostCapabilities ?? (options.isolation === undefined ? NO_HOST_FEATURES : detectHostCapabilities()),
      pause: (ms) => new Promise<void>((resolve) => { this.clock.setTimer(ms, resolve); }),
      logger: { log: (...args) => this.logger.log(...args) },
    });
    this.isolation = view;
    this.containerizer = containerizer;
    this.limitationPollMs = containerizer.isolators.some((i) => i.limitation !== undefined) ? options.limitationPollMs ?? DEFAULT_LIMITATION_POLL_MS : undefined;
    const port = {
      get pid() { return agent.pid; },
      get logger() { return agent.logger; },
      send: this.send.bind(this),
      ask: this.ask.bind(this),
      delay: this.delay.bind(this),
      whenSettled: this.whenSettled.bind(this),
      whenIoDone: this.whenIoDone.bind(this),
      link: this.link.bind(this),
      unlink: this.unlink.bind(this),
      live: () => !this.finished,
      ended: (run: ExecutorRun, termination: Termination, status: number) => this.executorEnded(run, termination, status),
    };
    this.fetcher = options.fetcher ?? new UriFetcher({
      cacheDir: options.fetcherCacheDir ?? path.join(options.workDir, 'fetch-cache'),
      ...(options.fetcherCacheSizeBytes === undefined ? {} : { cacheSizeBytes: options.fetcherCacheSizeBytes }),
      ...(options.fetcherMaxDownloadBytes === undefined ? {} : { maxDownloadBytes: options.fetcherMaxDownloadBytes }),
    });
    this.supervisor = new ExecutorSupervisor(port, {
      workDir: options.workDir,
      hostLauncher: options.hostLauncher,
      executorLauncher: options.executorLauncher ?? new OsExecutorProcessLauncher(),
      registrationTimeoutMs: positive('executorRegistrationTimeoutMs', options.executorRegistrationTimeoutMs, DEFAULT_EXECUTOR_REGISTRATION_TIMEOUT_MS),
      gracePeriodMs: positive('executorShutdownGracePeriodMs', options.executorShutdownGracePeriodMs, DEFAULT_EXECUTOR_SHUTDOWN_GRACE_PERIOD_MS),
      containerizer,
      nats: options.nats,
      recoveryTimeoutMs: positive('recoveryTimeoutMs', options.recoveryTimeoutMs, DEFAULT_RECOVERY_TIMEOUT_MS),
      reconnectTimeoutMs: positive('executorReconnectTimeoutMs', options.executorReconnectTimeoutMs, DEFAULT_EXECUTOR_RECONNECT_TIMEOUT_MS),
      subscriptionBackoffMaxMs: this.reregistrationTimeoutMs,
      agentEndpoint: options.httpEndpoint,
      fetcher: this.fetcher,
    }, this.state);
    this.collector = new SandboxCollector({
      get logger() { return agent.logger; },
      now: () => this.clock.now(),
      delay: this.delay.bind(this),
      whenSettled: this.whenSettled.bind(this),
    }, this.state, gcPolicy(options), options.diskUsage ?? statfsDiskUsage, options.workDir);
  }

  /** The id the master gave this agent, once registered. */
  /** True while some update of the framework's tasks waits for its acknowledgement. */
  hasUnacknowledgedUpdates(frameworkId: string): boolean {
    return this.streams.hasPending(frameworkId);
  }

  get id(): string | undefined {
    return this.agentId;
  }

  /** True while a restarted agent waits for some of its executors to subscribe again. */
  get isRecovering(): boolean {
    return this.recovering !== undefined && this.recovering.size > 0;
  }

  /** The operator's views of this agent; call them inside its mailbox (`runtime.dispatch`). */
  get operator(): AgentOperator {
    const agent = this;
    this.operatorViews ??= new AgentOperator({
      get pid() { return agent.pid; },
      get info() { return agent.info; },
      state: this.state,
      history: this.history,
      get masterPid() { return agent.tracker.pid; },
      version: this.options.version ?? AGENT_VERSION,
      get startTime() { return agent.startTime; },
      workDir: this.options.workDir,
      flags: agentFlags(this.options, this.isolation),
      isolation: this.isolation,
      usage: (run: ExecutorRun) => this.supervisor.usage(run),
      metricParts: () => ({
        registered: this.connected,
        isolators: this.containerizer.isolators,
        fetcher: this.fetcher instanceof UriFetcher ? this.fetcher.stats() : undefined,
        collector: this.collector.stats(),
      }),
    });
    return this.operatorViews;
  }

  /** What the agent tells the master about itself. */
  get info(): AgentInfo {
    const info: AgentInfo = { hostname: this.hostname, resources: this.resources.toJSON(), attributes: this.attributes };
    if (this.options.port !== undefined) info.port = this.options.port;
    if (this.agentId !== undefined) info.id = { value: this.agentId };
    return info;
  }

  /**
   * Stops the agent. With `shutdownExecutors`, every executor is told to shut down (and
   * destroyed after its grace period) and the executor hosts are stopped first; without, they
   * are left running, as a Mesos agent restart leaves them.
   */
  stop(options: { shutdownExecutors?: boolean } = {}): Promise<void> {
    this.stopping ??= this.shutDown(options.shutdownExecutors ?? false);
    return this.stopping;
  }

  protected initialize(): void {
    this.install('agent.Registered', this.onRegistered);
    this.install('agent.Reregistered', this.onReregistered);
    this.install('agent.Ping', this.onPing);
    this.install('agent.Shutdown', this.onShutdown);
    this.install('agent.RunTask', this.onRunTask);
    this.install('agent.RunTaskGroup', this.onRunTaskGroup);
    this.install('agent.KillTask', this.onKillTask);
    this.install('agent.ShutdownExecutor', this.onShutdownExecutor);
    this.install('agent.ShutdownFramework', this.onShutdownFramework);
    this.install('agent.StatusUpdateAck', this.onStatusUpdateAck);
    this.install('agent.FrameworkMessage', this.onFrameworkMessage);
    this.install('agent.UpdateFramework', this.onUpdateFramework);
    this.install('executor.Call', this.onExecutorCall);
    this.install('master.NotLeader', this.onNotLeader);
    this.startTime = this.clock.now() / 1000;
    this.logger.log('info', `isolation ${this.isolation.isolation}, launcher ${this.isolation.launcher} (${this.isolation.chosen})`, { cgroups_root: this.isolation.cgroups_root, host: this.isolation.host });
    if (this.limitationPollMs !== undefined) this.pollLimitations(this.limitationPollMs);
    this.stopDetecting = this.detector.onChange((leader) => {
      // Into the mailbox: the detector calls from outside the actor.
      if (!this.finished) this.delay(0, () => this.onLeaderChange(leader));
    });
    this.startUp();
    this.destroyOrphans();
  }

  /**
   * Containers under this agent's cgroups that no recovered run owns are left from an agent that
   * died: destroyed, as Mesos's containerizer destroys orphans at recovery.
   */
  private destroyOrphans(): void {
    const known = new Set(this.state.runs().map((run) => run.runId));
    this.containerizer.recover(known).then(
      (orphans) => { if (orphans.length > 0) this.logger.log('info', `destroyed ${orphans.length} orphan container(s): ${orphans.join(', ')}`, { agent: this.agentId }); },
      (e: Error) => this.logger.log('error', `destroying orphan containers: ${e.message}`, { agent: this.agentId }),
    );
  }

  protected override finalize(): void {
    this.finished = true;
    for (const isolator of this.containerizer.isolators) isolator.close?.();
    this.stopDetecting?.();
    this.checkpoint?.close();
  }

  protected override exited(pid: UPID, reason: ExitReason): void {
    if (pid !== this.linkedMaster) {
      this.supervisor.actorExited(pid, reason);
      return;
    }
    if (!this.connected) return;
    this.logger.log('warn', `master ${pid} went away (${reason}): registering again`, { agent: this.agentId });
    this.register();
  }

  // ---- recovery -----------------------------------------------------------------------------

  /**
   * Starts as a new agent, or recovers what the checkpoint holds (Mesos's Slave::recover): the
   * same agent id, frameworks, tasks and unacknowledged updates; then waits for its executors to
   * subscribe again before it re-registers.
   */
  private startUp(): void {
    const plan = this.recovery;
    if (plan.kind === 'fresh') {
      if (plan.wipe) {
        this.logger.log('info', `not recovering: ${plan.why}`);
        this.checkpoint?.wipe();
      }
      this.checkpointAgent();
      this.register();
      return;
    }
    this.agentId = plan.agent.agent_id;
    const node = this.pid.slice(this.pid.indexOf('@') + 1);
    if (plan.agent.node !== node) {
      this.logger.log('warn', `recovering as node ${node}, but the checkpoint was written by node ${plan.agent.node}: executors will not find this agent`, { agent: this.agentId });
    }
    const restored = restore(plan.checkpoint, this.state, this.streams, this.clock.now());
    for (const { frameworkId, taskId } of restored.finished) this.forgetTask(frameworkId, taskId);
    this.scheduleRetry();
    this.logger.log('info', `recovering agent ${this.agentId}: ${restored.runs.length} executors, ${restored.tasks} tasks, ${this.streams.heads().length} updates unacknowledged`, { agent: this.agentId });
    this.collector.recover(this.agentId);
    this.checkpointAgent();
    this.recovering = new Set(restored.runs);
    if (restored.runs.length === 0) {
      this.finishRecovery();
      return;
    }
    for (const run of restored.runs) {
      // An executor that lived in this process died with it: start it again on its tasks.
      if (this.supervisor.revive(run, this.agentId)) continue;
      // Ask the others to subscribe now, not at their next back-off (Mesos's ReconnectExecutorMessage).
      if (run.pid !== undefined) this.send(run.pid, 'executor.Event', { type: 'HEARTBEAT' });
    }
    this.delay(this.reregistrationTimeoutMs, () => this.finishRecovery());
  }

  /** Executors that did not come back ended while the agent was down; then re-register. */
  private finishRecovery(): void {
    if (this.recovering === undefined) return;
    const lost = [...this.recovering].filter((run) => run.phase === 'launching' && this.state.executor(run.frameworkId, run.executorId) === run);
    this.recovering = undefined;
    for (const run of lost) {
      this.supervisor.destroy(run, {
        reason: 'REASON_EXECUTOR_REREGISTRATION_TIMEOUT',
        message: `Executor did not re-register within ${this.reregistrationTimeoutMs} ms of the agent's restart: it ended while the agent was down`,
      });
    }
    this.register();
  }

  private checkpointAgent(): void {
    const node = this.pid.slice(this.pid.indexOf('@') + 1);
    this.checkpoint?.agent({ node, boot_id: this.bootId, ...(this.agentId === undefined ? {} : { agent_id: this.agentId }) });
  }

  private checkpointExecutor(run: ExecutorRun): void {
    this.checkpoint?.executor(run.frameworkId, {
      info: run.info, kind: run.kind, run_id: run.runId, directory: run.directory, ...(run.pid === undefined ? {} : { pid: run.pid }),
    });
  }

  // ---- registration -------------------------------------------------------------------------

  /** (Re)registers with randomized, doubling back-off until the master answers. */
  private register(): void {
    this.connected = false;
    this.pingTimer?.cancel();
    if (this.registrationTimer !== undefined || this.stopping !== undefined || this.recovering !== undefined) return;
    this.backoff.reset();
    const attempt = (): void => {
      this.registrationTimer = this.delay(this.backoff.next(this.random), () => {
        this.sendRegistration();
        attempt();
      });
    };
    attempt();
  }

  private sendRegistration(): void {
    const master = this.tracker.pid;
    if (master === undefined) {
      this.logger.log('debug', 'no leading master known yet: registration waits', { agent: this.agentId });
      return;
    }
    const version = this.options.version ?? AGENT_VERSION;
    if (this.agentId === undefined) {
      this.send(master, 'agent.Register', { agent_info: this.info, version });
    } else {
      const held = this.state.reregistration(this.agentId, (fw, task) => this.streams.head(fw, task));
      this.send(master, 'agent.Reregister', { agent_info: this.info, version, ...held });
    }
  }

  /** A new leading master (from the detector, or a later epoch heard first): register with it. */
  private onLeaderChange(leader: LeaderRecord | undefined): void {
    if (!this.tracker.learn(leader)) return;
    this.logger.log('info', `the leading master is now ${leader!.pid} (epoch ${leader!.epoch}): registering with it`, { agent: this.agentId });
    this.reconnect();
  }

  /** Drops the current registration and starts again (with the agent id, if it has one). */
  private reconnect(): void {
    this.registrationTimer?.cancel();
    this.registrationTimer = undefined;
    this.register();
  }

  /** A standby master refused a message: when it names a newer leader, follow that one. */
  private onNotLeader = (body: Messages['master.NotLeader'], message: Envelope<'master.NotLeader'>): void => {
    const leader = body.leader;
    if (leader === undefined || leader.epoch <= this.tracker.epoch) {
      this.logger.log('debug', `${message.from} is not the leader (refused ${body.refused}) and names no newer one`, { agent: this.agentId });
      return;
    }
    this.onLeaderChange(leader);
  };

  private onRegistered = (body: Messages['agent.Registered'], message: Envelope<'agent.Registered'>): void => {
    if (!this.fromMaster(message) || this.connected) return;
    if (this.agentId !== undefined) {
      this.logger.log('warn', `ignored agent.Registered as ${body.agent_id.value}: this agent is ${this.agentId}`);
      return;
    }
    this.agentId = body.agent_id.value;
    this.logger.log('info', `registered with master ${body.master_id} as ${this.agentId}`);
    this.checkpointAgent();
    this.connect(body);
  };

  private onReregistered = (body: Messages['agent.Reregistered'], message: Envelope<'agent.Reregistered'>): void => {
    if (!this.fromMaster(message) || this.connected) return;
    if (body.agent_id.value !== this.agentId) {
      this.logger.log('warn', `ignored agent.Reregistered as ${body.agent_id.value}: this agent is ${this.agentId ?? 'unregistered'}`);
      return;
    }
    this.logger.log('info', `re-registered with master ${body.master_id} as ${this.agentId}`);
    this.connect(body);
    // The master may have lost what was in flight: every update waiting for an ack goes again.
    for (const { frameworkId, status } of this.streams.heads()) this.sendUpdate(frameworkId, status);
  };

  private connect(settings: { ping_interval_ms: number; max_missed_pings: number }): void {
    this.registrationTimer?.cancel();
    this.registrationTimer = undefined;
    this.connected = true;
    const master = this.tracker.pid!;
    if (this.linkedMaster !== master) {
      if (this.linkedMaster !== undefined) this.unlink(this.linkedMaster);
      this.linkedMaster = master;
      this.link(master);
    }
    this.pingTimeoutMs = settings.ping_interval_ms * settings.max_missed_pings;
    this.watchPings();
  }

  private watchPings(): void {
    this.pingTimer?.cancel();
    this.pingTimer = this.delay(this.pingTimeoutMs, () => {
      this.logger.log('warn', `no ping from the master for ${this.pingTimeoutMs} ms: registering again`, { agent: this.agentId });
      this.register();
    });
  }

  private onPing = (body: Messages['agent.Ping'], message: Envelope<'agent.Ping'>): void => {
    if (!this.fromMaster(message)) return;
    this.reply(message, 'agent.Pong', {});
    if (!this.connected) return;
    if (body.connected) this.watchPings();
    else {
      this.logger.log('warn', 'the master says this agent is not connected: registering again', { agent: this.agentId });
      this.register();
    }
  };

  private onShutdown = (body: Messages['agent.Shutdown'], message: Envelope<'agent.Shutdown'>): void => {
    if (!this.fromMaster(message)) return;
    this.logger.log('warn', `the master shuts this agent down: ${body.message}`, { agent: this.agentId });
    void this.stop({ shutdownExecutors: true });
  };

  // ---- launching ----------------------------------------------------------------------------

  private onRunTask = (body: Messages['agent.RunTask'], message: Envelope<'agent.RunTask'>): void => {
    if (!this.launchable(message, body.framework)) return;
    this.launch(body.framework, planTask(body.framework, body.task), { kind: 'task', task: body.task });
  };

  private onRunTaskGroup = (body: Messages['agent.RunTaskGroup'], message: Envelope<'agent.RunTaskGroup'>): void => {
    if (!this.launchable(message, body.framework)) return;
    this.launch(body.framework, planGroup(body.framework, body.executor, body.tasks), { kind: 'group', tasks: body.tasks });
  };

  /** True when the agent may take a launch now; logs why not. */
  private launchable(message: Envelope, framework: FrameworkInfo): boolean {
    if (!this.fromMaster(message)) return false;
    const frameworkId = framework.id?.value;
    const why = this.agentId === undefined ? 'the agent is not registered'
      : this.stopping !== undefined ? 'the agent is stopping'
        : frameworkId === undefined ? 'the framework has no id'
          : this.state.isShuttingDown(frameworkId) ? `framework ${frameworkId} is shutting down` : undefined;
    if (why !== undefined) this.logger.log('warn', `dropped ${message.type}: ${why}`, { agent: this.agentId });
    return why === undefined;
  }

  private launch(framework: FrameworkInfo, planned: PlanResult, launch: Launch): void {
    const frameworkId = framework.id!.value;
    const tasks = launch.kind === 'task' ? [launch.task] : launch.tasks;
    const known = tasks.find((t) => this.state.task(frameworkId, t.task_id.value) !== undefined);
    if (known !== undefined) {
      this.logger.log('warn', `dropped a launch: task ${known.task_id.value} of framework ${frameworkId} is already here`);
      return;
    }
    if (!planned.ok) {
      for (const t of tasks) this.agentUpdate(frameworkId, t.task_id.value, 'TASK_ERROR', 'REASON_TASK_INVALID', planned.error);
      return;
    }
    if (this.state.frameworkInfo(frameworkId) === undefined) this.checkpoint?.framework(framework);
    this.state.upsertFramework(framework);
    const { info, kind } = planned.plan;
    const executorId = info.executor_id.value;
    let run = this.state.executor(frameworkId, executorId);
    if (run?.phase === 'terminating') {
      // As Mesos: a task for an executor on its way out is lost, not queued behind its end.
      const state: TaskState = isPartitionAware(framework) ? 'TASK_DROPPED' : 'TASK_LOST';
      for (const t of tasks) this.agentUpdate(frameworkId, t.task_id.value, state, 'REASON_EXECUTOR_TERMINATED', 'Executor terminating', executorId);
      return;
    }
    const fresh = run === undefined;
    if (run === undefined) {
      const runId = uuid(this.random);
      const directory = sandboxPath(this.options.workDir, this.agentId!, frameworkId, executorId, runId);
      this.collector.runStarting(directory);
      run = this.state.addExecutor({ frameworkId, executorId, info, kind, runId, directory });
      this.checkpointExecutor(run);
    }
    for (const t of tasks) this.checkpoint?.task(frameworkId, { info: t, executor_id: executorId, executor_kind: kind });
    if (this.state.addLaunch(run, launch) === 'send') this.sendLaunch(run, launch);
    if (fresh) this.supervisor.boot(run, this.agentId!, launch);
    else this.supervisor.resourcesChanged(run);
  }

  private sendLaunch(run: ExecutorRun, launch: Launch): void {
    if (launch.kind === 'task') this.send(run.pid!, 'executor.Event', { type: 'LAUNCH', launch: { task: launch.task } });
    else this.send(run.pid!, 'executor.Event', { type: 'LAUNCH_GROUP', launch_group: { task_group: { tasks: launch.tasks } } });
  }

  // ---- executors ----------------------------------------------------------------------------

  private onExecutorCall = (body: Messages['executor.Call'], message: Envelope<'executor.Call'>): void => {
    const frameworkId = body.framework_id.value;
    const run = this.state.executor(frameworkId, body.executor_id.value);
    switch (body.type) {
      case 'SUBSCRIBE': return this.onSubscribe(run, message.from);
      case 'UPDATE': return this.onExecutorUpdate(run, body, message.from);
      case 'MESSAGE': {
        if (run === undefined || run.pid !== message.from || body.message === undefined || this.agentId === undefined) {
          this.logger.log('warn', `dropped a MESSAGE from ${message.from}: not a subscribed executor, or no data`);
          return;
        }
        this.toMaster('agent.FrameworkMessage', {
          framework_id: body.framework_id, executor_id: body.executor_id, agent_id: { value: this.agentId }, data: body.message.data,
        });
        return;
      }
      case 'HEARTBEAT': return;
    }
  };

  private onSubscribe(run: ExecutorRun | undefined, from: UPID): void {
    if (run === undefined || run.phase === 'terminating') {
      // An executor the agent does not run (any more) has nothing to do: Mesos tells it to go.
      this.send(from, 'executor.Event', { type: 'SHUTDOWN' });
      return;
    }
    if (this.recovering?.delete(run)) this.logger.log('info', `executor ${run.executorId} of framework ${run.frameworkId} is back at ${from}`, { agent: this.agentId });
    // Checkpointed once with its pid, so that a restarted agent knows where to find it.
    const news = run.phase === 'launching' || run.pid !== from;
    this.supervisor.subscribed(run, from);
    const launches = this.state.subscribed(run, from);
    if (news) this.checkpointExecutor(run);
    this.send(from, 'executor.Event', {
      type: 'SUBSCRIBED',
      subscribed: {
        executor_info: run.info,
        framework_info: this.state.frameworkInfo(run.frameworkId)!,
        agent_info: this.info,
        container_id: { value: run.runId },
      },
    });
    for (const launch of launches) this.sendLaunch(run, launch);
  }

  private onExecutorUpdate(run: ExecutorRun | undefined, body: Messages['executor.Call'], from: UPID): void {
    const status = body.update?.status;
    if (run === undefined || run.pid !== from || status === undefined) {
      this.logger.log('warn', `dropped an UPDATE from ${from}: not a subscribed executor, or no status`);
      return;
    }
    const frameworkId = run.frameworkId;
    const task = this.state.task(frameworkId, status.task_id.value);
    if (task === undefined || task.executorId !== run.executorId || status.uuid === undefined) {
      this.logger.log('warn', `dropped an UPDATE of task ${status.task_id.value} from executor ${run.executorId}: unknown task, or no uuid`);
      return;
    }
    const stamped: TaskStatus = withLimitation({
      ...status,
      source: status.source ?? 'SOURCE_EXECUTOR',
      agent_id: { value: this.agentId! },
      executor_id: { value: run.executorId },
    }, () => this.supervisor.limitation(run));
    const verdict = this.state.recordUpdate(frameworkId, stamped);
    if (verdict.kind === 'refused') {
      this.logger.log('warn', `dropped an UPDATE: ${verdict.error}`);
    } else if (verdict.kind === 'duplicate') {
      // A resend: once acknowledged, the ack may be what was lost, so the executor hears it again.
      if (!this.streams.isPending(frameworkId, status.task_id.value, status.uuid)) this.acknowledgeToExecutor(run, status.task_id.value, status.uuid);
    } else if (this.state.isShuttingDown(frameworkId)) {
      // Nobody upstream wants it: acknowledge here, so the executor can finish.
      this.acknowledgeToExecutor(run, status.task_id.value, status.uuid);
      if (TERMINAL_TASK_STATES.has(stamped.state)) this.forgetTask(frameworkId, status.task_id.value);
    } else {
      this.forwardUpdate(frameworkId, stamped);
    }
  }

  /**
   * Every few seconds, a container that broke a limit is destroyed and its tasks fail with the
   * limitation's reason (as Mesos's containerizer does when an isolator reports one).
   */
  private pollLimitations(everyMs: number): void {
    this.delay(everyMs, () => {
      for (const run of this.state.runs()) {
        if (run.phase === 'terminating') continue;
        const limitation = this.supervisor.limitation(run);
        if (limitation === undefined) continue;
        this.logger.log('warn', `container ${run.runId} of executor ${run.executorId}: ${limitation.message}`, { agent: this.agentId, framework: run.frameworkId });
        run.phase = 'terminating';
        this.supervisor.destroy(run, limitation);
      }
      this.pollLimitations(everyMs);
    });
  }

  private acknowledgeToExecutor(run: ExecutorRun, taskId: string, uuidValue: string): void {
    if (run.pid !== undefined) this.send(run.pid, 'executor.Event', { type: 'ACKNOWLEDGED', acknowledged: { task_id: { value: taskId }, uuid: uuidValue } });
  }

  /** A run is over: its unfinished tasks fail (unless their framework is gone) and the master hears of it. */
  private executorEnded(run: ExecutorRun, termination: Termination, status: number): void {
    const live = this.state.removeExecutor(run);
    this.collector.runEnded(run);
    const frameworkId = run.frameworkId;
    this.history.executorDone(frameworkId, this.state.frameworkInfo(frameworkId), {
      id: run.executorId, name: run.info.name ?? '', source: run.executorId, container: run.runId, directory: run.directory, resources: run.info.resources ?? [],
    });
    this.checkpoint?.removeExecutor(frameworkId, run.executorId);
    for (const task of live) {
      const taskId = task.info.task_id.value;
      if (this.state.isShuttingDown(frameworkId)) this.forgetTask(frameworkId, taskId);
      else this.agentUpdate(frameworkId, taskId, 'TASK_FAILED', termination.reason, termination.message, run.executorId);
    }
    this.logger.log('info', `executor ${run.executorId} of framework ${frameworkId} ended: ${termination.message}`, { agent: this.agentId, status });
    // As Mesos: a command executor is the agent's invention, unknown to the master and the
    // framework, so its end is told through its task's update alone.
    if (run.kind !== 'command') {
      this.toMaster('agent.ExecutorExited', { framework_id: { value: frameworkId }, executor_id: { value: run.executorId }, status });
    }
    this.forgetFrameworkIfDone(frameworkId);
    if (this.whenAllGone !== undefined && this.state.runs().length === 0) this.whenAllGone();
  }

  // ---- orders from the master ---------------------------------------------------------------

  private onKillTask = (body: Messages['agent.KillTask'], message: Envelope<'agent.KillTask'>): void => {
    if (!this.fromMaster(message)) return;
    const frameworkId = body.framework_id.value;
    const taskId = body.task_id.value;
    const task = this.state.task(frameworkId, taskId);
    if (task === undefined) {
      // As Mesos: the master believes in a task this agent does not have; say it is gone.
      const state: TaskState = isPartitionAware(this.state.frameworkInfo(frameworkId)) ? 'TASK_DROPPED' : 'TASK_LOST';
      this.agentUpdate(frameworkId, taskId, state, 'REASON_EXECUTOR_TERMINATED', 'Cannot find executor');
      return;
    }
    if (TERMINAL_TASK_STATES.has(task.state)) return;
    const run = this.state.executor(frameworkId, task.executorId);
    if (task.queued) {
      for (const t of this.state.dequeue(frameworkId, taskId)) {
        this.agentUpdate(frameworkId, t.task_id.value, 'TASK_KILLED', 'REASON_TASK_KILLED_DURING_LAUNCH', 'Killed before delivery to the executor', task.executorId);
      }
      // An executor left with nothing to run is not started for nothing.
      if (run !== undefined && this.state.liveTasks(run).length === 0) this.supervisor.shutdown(run, { reason: 'REASON_EXECUTOR_TERMINATED', message: 'Executor has no tasks left' });
      return;
    }
    if (run?.pid === undefined) return;
    const kill: Messages['executor.Event']['kill'] = { task_id: body.task_id };
    if (body.kill_policy !== undefined) kill.kill_policy = body.kill_policy;
    this.send(run.pid, 'executor.Event', { type: 'KILL', kill });
  };

  private onShutdownExecutor = (body: Messages['agent.ShutdownExecutor'], message: Envelope<'agent.ShutdownExecutor'>): void => {
    if (!this.fromMaster(message)) return;
    const run = this.state.executor(body.framework_id.value, body.executor_id.value);
    if (run === undefined) {
      this.logger.log('warn', `cannot shut down executor ${body.executor_id.value} of framework ${body.framework_id.value}: not here`);
      return;
    }
    this.supervisor.shutdown(run, { reason: 'REASON_EXECUTOR_TERMINATED', message: 'Executor shut down by its framework' });
  };

  private onShutdownFramework = (body: Messages['agent.ShutdownFramework'], message: Envelope<'agent.ShutdownFramework'>): void => {
    if (!this.fromMaster(message)) return;
    const frameworkId = body.framework_id.value;
    // Its updates have no one to go to any more.
    this.streams.forget(frameworkId);
    for (const run of this.state.shutDownFramework(frameworkId)) {
      this.supervisor.shutdown(run, { reason: 'REASON_EXECUTOR_TERMINATED', message: 'Framework shut down' });
    }
    this.forgetFrameworkIfDone(frameworkId);
    this.scheduleRetry();
  };

  private onFrameworkMessage = (body: Messages['agent.FrameworkMessage'], message: Envelope<'agent.FrameworkMessage'>): void => {
    if (!this.fromMaster(message)) return;
    const run = this.state.executor(body.framework_id.value, body.executor_id.value);
    if (run?.pid === undefined || run.phase !== 'running') {
      // Framework messages are best effort, as in Mesos.
      this.logger.log('warn', `dropped a framework message for executor ${body.executor_id.value}: it is not running`);
      return;
    }
    this.send(run.pid, 'executor.Event', { type: 'MESSAGE', message: { data: body.data } });
  };

  private onUpdateFramework = (body: Messages['agent.UpdateFramework'], message: Envelope<'agent.UpdateFramework'>): void => {
    const frameworkId = body.framework.id?.value;
    if (!this.fromMaster(message) || frameworkId === undefined || this.state.frameworkInfo(frameworkId) === undefined) return;
    this.state.upsertFramework(body.framework);
  };

  // ---- status updates -----------------------------------------------------------------------

  /** An update the agent makes itself: tracked tasks change state; it goes out like any other. */
  private agentUpdate(frameworkId: string, taskId: string, state: TaskState, reason: AgentReason, message: string, executorId?: string): void {
    const status = agentStatus({ taskId, state, reason, message, agentId: this.agentId, uuid: updateUuid(this.random), ...(executorId === undefined ? {} : { executorId }) });
    if (this.state.task(frameworkId, taskId) !== undefined) {
      const verdict = this.state.recordUpdate(frameworkId, status);
      if (verdict.kind !== 'new') return;
    }
    this.forwardUpdate(frameworkId, status);
  }

  private forwardUpdate(frameworkId: string, status: TaskStatus): void {
    let now: TaskStatus | undefined;
    try {
      now = this.streams.update(frameworkId, status, this.clock.now());
    } catch (e) {
      this.logger.log('warn', `dropped an update of task ${status.task_id.value}: ${(e as Error).message}`);
      return;
    }
    if (this.state.task(frameworkId, status.task_id.value) !== undefined) this.checkpoint?.update(frameworkId, status.task_id.value, status);
    if (now !== undefined) {
      this.sendUpdate(frameworkId, now);
      this.retryBy(this.streams.retryAt(frameworkId, status.task_id.value));
    }
  }

  private sendUpdate(frameworkId: string, status: TaskStatus): void {
    this.toMaster('agent.StatusUpdate', { framework_id: { value: frameworkId }, status });
  }

  /** Sends to the leading master; with none known, nothing goes (updates are resent, registration retried). */
  private toMaster<K extends 'agent.StatusUpdate' | 'agent.FrameworkMessage' | 'agent.ExecutorExited'>(type: K, body: Messages[K]): void {
    const master = this.tracker.pid;
    if (master !== undefined) this.send(master, type, body);
  }

  /**
   * Makes sure the timer fires by `at` (an update just sent): O(1), where scheduleRetry scans
   * every stream, which on a busy agent made each update cost in proportion to those in flight.
   */
  private retryBy(at: number | undefined): void {
    if (at === undefined || (this.retryTimer !== undefined && this.retryTimer.at <= at)) return;
    this.armRetryAt(at);
  }

  /** Keeps one timer, for the earliest retry any stream has due. */
  private scheduleRetry(): void {
    const at = this.streams.nextRetryAt();
    if (at === this.retryTimer?.at) return;
    if (at !== undefined) return this.armRetryAt(at);
    this.retryTimer?.timer.cancel();
    this.retryTimer = undefined;
  }

  private armRetryAt(at: number): void {
    this.retryTimer?.timer.cancel();
    const timer = this.delay(Math.max(0, at - this.clock.now()), () => {
      this.retryTimer = undefined;
      for (const { frameworkId, status } of this.streams.due(this.clock.now())) this.sendUpdate(frameworkId, status);
      this.scheduleRetry();
    });
    this.retryTimer = { timer, at };
  }

  private onStatusUpdateAck = (body: Messages['agent.StatusUpdateAck'], message: Envelope<'agent.StatusUpdateAck'>): void => {
    if (!this.fromMaster(message)) return;
    const frameworkId = body.framework_id.value;
    const taskId = body.task_id.value;
    const result = this.streams.acknowledge(frameworkId, taskId, body.uuid, this.clock.now());
    if (!result.ok) {
      this.logger.log('debug', `ignored an acknowledgement: ${result.error}`);
      return;
    }
    if (this.state.task(frameworkId, taskId) !== undefined) this.checkpoint?.ack(frameworkId, taskId, body.uuid);
    if (result.next !== undefined) {
      this.sendUpdate(frameworkId, result.next);
      this.retryBy(this.streams.retryAt(frameworkId, taskId));
    }
    const task = this.state.task(frameworkId, taskId);
    if (task !== undefined) {
      const run = this.state.executor(frameworkId, task.executorId);
      // The executor made it, so the executor waits for its ack; the agent's own it never saw.
      if (run !== undefined && run.taskIds.has(taskId) && result.acked.source !== 'SOURCE_AGENT') this.acknowledgeToExecutor(run, taskId, body.uuid);
      if (TERMINAL_TASK_STATES.has(result.acked.state) && result.drained) {
        this.forgetTask(frameworkId, taskId);
        this.forgetFrameworkIfDone(frameworkId);
      }
    } else if (result.drained) {
      this.forgetFrameworkIfDone(frameworkId);
    }
    // The timer stays: if it was for this update, it fires, finds nothing due, and re-arms.
  };

  /**
   * A framework being shut down is forgotten with its last executor; any other once it has no
   * executor, no task and no update waiting for an ack (as Mesos's removeFramework).
   */
  private forgetFrameworkIfDone(frameworkId: string): void {
    const done = this.state.isShuttingDown(frameworkId)
      ? this.state.removeFrameworkIfNoExecutors(frameworkId)
      : this.state.isIdle(frameworkId) && !this.streams.hasPending(frameworkId) && this.state.removeFrameworkIfIdle(frameworkId);
    if (!done) return;
    this.streams.forget(frameworkId);
    this.checkpoint?.removeFramework(frameworkId);
    if (this.agentId !== undefined) this.collector.frameworkDone(this.agentId, frameworkId);
  }

  private forgetTask(frameworkId: string, taskId: string): void {
    const task = this.state.task(frameworkId, taskId);
    if (task !== undefined) this.history.taskDone(this.state.frameworkInfo(frameworkId), task, this.agentId ?? '');
    this.state.removeTask(frameworkId, taskId);
    this.checkpoint?.removeTask(frameworkId, taskId);
  }

  // ---- stopping -----------------------------------------------------------------------------

  private async shutDown(shutdownExecutors: boolean): Promise<void> {
    this.stopDetecting?.();
    this.registrationTimer?.cancel();
    this.registrationTimer = undefined;
    this.pingTimer?.cancel();
    if (shutdownExecutors && !this.finished) {
      const gone = new Promise<void>((resolve) => { this.whenAllGone = resolve; });
      for (const run of this.state.runs()) this.supervisor.shutdown(run, { reason: 'REASON_EXECUTOR_TERMINATED', message: 'Agent shut down' });
      if (this.state.runs().length === 0) this.whenAllGone!();
      await gone;
      await this.options.hostLauncher.shutdown().catch((e: Error) => this.logger.log('error', `stopping the executor hosts failed: ${e.message}`));
      // Nothing is left to recover: no container, nor the cgroups root, outlives the agent.
      await this.containerizer.close();
    }
    if (!this.finished) this.terminate();
  }

  /** The one gate for master messages: the tracker takes only the leader's, at its epoch or later. */
  private fromMaster(message: Envelope): boolean {
    const verdict = this.tracker.admits(message.from, message.epoch);
    if (!verdict.ok) {
      this.logger.log('warn', `ignored ${message.type} from ${message.from}: ${verdict.why}`, { agent: this.agentId });
      return false;
    }
    if (verdict.changed) {
      this.logger.log('info', `${message.from} leads now (epoch ${this.tracker.epoch}): registering with it`, { agent: this.agentId });
      this.reconnect();
    }
    return true;
  }
}

/** How often containers are checked for broken limits (Mesos's isolators report them as they happen). */
const DEFAULT_LIMITATION_POLL_MS = 5_000;

/**
 * The agent's own cgroups root: `<root>/<key of its checkpoint dir>` (of its work dir without
 * one). Agents of one work dir (`tessera local`'s) checkpoint apart, one directory per node, so
 * a restarted agent finds its own orphans there and never takes a neighbour's live containers
 * for them; keyed by the work dir alone, they shared one root.
 */
function agentCgroupsRoot(root: string, ownDir: string): string {
  return `${root}/${createHash('sha256').update(path.resolve(ownDir)).digest('hex').slice(0, 12)}`;
}

/** A host with no isolation feature, for the posix default (nothing to detect). */
const NO_HOST_FEATURES: HostCapabilities = { cgroups: {}, unshare: undefined, bubblewrap: undefined, missing: {} };

/**
 * A task's failure as its container's limitation explains it: a task the OOM killer ended fails
 * with REASON_CONTAINER_LIMITATION_MEMORY and the limit, not as a plain signal death. The uuid
 * and source stay the executor's: it waits for that update's acknowledgement.
 */
function withLimitation(status: TaskStatus, limitation: () => Limitation | undefined): TaskStatus {
  if (status.state !== 'TASK_FAILED' || status.source !== 'SOURCE_EXECUTOR') return status;
  const found = limitation();
  return found === undefined ? status : { ...status, reason: found.reason, message: found.message };
}

/** The agent's settings as `/state` shows them (Mesos's `flags`). */
function agentFlags(options: AgentOptions, isolation: IsolationView): Record<string, string> {
  const flags: Record<string, string> = { work_dir: options.workDir, isolation: isolation.isolation, launcher: isolation.launcher, cgroups_root: isolation.cgroups_root };
  const pairs: [string, unknown][] = [
    ['hostname', options.hostname], ['port', options.port], ['resources', options.resources], ['attributes', options.attributes], ['master', options.master],
    ['executor_registration_timeout', options.executorRegistrationTimeoutMs], ['executor_shutdown_grace_period', options.executorShutdownGracePeriodMs],
    ['executor_reregistration_timeout', options.executorReregistrationTimeoutMs], ['recovery_timeout', options.recoveryTimeoutMs],
    ['executor_reconnect_timeout', options.executorReconnectTimeoutMs ?? DEFAULT_EXECUTOR_RECONNECT_TIMEOUT_MS],
    ['checkpoint_dir', options.checkpointDir],
    ['fetcher_cache_dir', options.fetcherCacheDir ?? path.join(options.workDir, 'fetch-cache')],
    ['fetcher_cache_size', options.fetcherCacheSizeBytes ?? DEFAULT_FETCHER_CACHE_SIZE_BYTES],
    ['gc_delay', options.gcDelayMs ?? DEFAULT_GC_DELAY_MS], ['gc_disk_headroom', options.gcDiskHeadroom ?? DEFAULT_GC_DISK_HEADROOM],
  ];
  for (const [name, value] of pairs) if (value !== undefined) flags[name] = String(value);
  return flags;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number of ms, got ${value}`);
  return value;
}
