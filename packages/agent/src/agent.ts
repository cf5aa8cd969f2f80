import {
  TERMINAL_TASK_STATES,
  isPartitionAware,
  updateUuid,
  uuid,
  type AgentInfo,
  type Attribute,
  type Envelope,
  type FrameworkInfo,
  type Messages,
  type Resources,
  type TaskState,
  type TaskStatus,
} from '@tessera/protocol';
import { Process, type ExitReason, type Timer, type UPID } from '@tessera/process';
import os from 'node:os';
import { AgentState, type ExecutorRun, type Launch } from './agent-state.js';
import { parseAttributes } from './attributes.js';
import { Backoff } from './backoff.js';
import { ExecutorSupervisor, type Termination } from './executor-supervisor.js';
import { agentStatus, planGroup, planTask, type AgentReason, type PlanResult } from './launch-plan.js';
import { OsExecutorProcessLauncher } from './os-executor-launcher.js';
import { agentResources, readHostFacts } from './resources-detection.js';
import { sandboxPath } from './sandbox.js';
import {
  AGENT_VERSION,
  DEFAULT_EXECUTOR_REGISTRATION_TIMEOUT_MS,
  DEFAULT_EXECUTOR_SHUTDOWN_GRACE_PERIOD_MS,
  DEFAULT_MASTER,
  DEFAULT_REGISTRATION_BACKOFF_FACTOR_MS,
  DEFAULT_REGISTRATION_BACKOFF_MAX_MS,
  DEFAULT_RLIMIT_NOFILE,
  type AgentOptions,
} from './types.js';
import { UpdateStreams } from './update-streams.js';

/**
 * The agent actor (Mesos's `Slave`): registers with the master, runs tasks in executors, and
 * carries status updates reliably from executors to the master. Bookkeeping lives in AgentState
 * and UpdateStreams, executor lifecycles in ExecutorSupervisor; this class wires the messages.
 */
export class Agent extends Process {
  private readonly state = new AgentState();
  private readonly streams: UpdateStreams;
  private readonly supervisor: ExecutorSupervisor;
  private readonly backoff: Backoff;
  private readonly master: UPID;
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

  /** @throws on bad options (`--resources` or `--attributes` syntax, non-positive timeouts). */
  constructor(private readonly options: AgentOptions) {
    super(options.name ?? 'agent');
    this.streams = new UpdateStreams(options.statusUpdateRetryMinMs);
    if (options.workDir.trim() === '') throw new Error('the agent needs a work directory');
    this.master = options.master ?? DEFAULT_MASTER;
    this.hostname = options.hostname ?? os.hostname();
    this.resources = agentResources(options.resources, readHostFacts(options.workDir));
    this.attributes = options.attributes === undefined ? [] : parseAttributes(options.attributes);
    this.backoff = new Backoff(
      positive('registrationBackoffFactorMs', options.registrationBackoffFactorMs, DEFAULT_REGISTRATION_BACKOFF_FACTOR_MS),
      positive('registrationBackoffMaxMs', options.registrationBackoffMaxMs, DEFAULT_REGISTRATION_BACKOFF_MAX_MS),
    );
    const agent = this;
    const port = {
      get pid() { return agent.pid; },
      get logger() { return agent.logger; },
      send: this.send.bind(this),
      ask: this.ask.bind(this),
      delay: this.delay.bind(this),
      link: this.link.bind(this),
      unlink: this.unlink.bind(this),
      live: () => !this.finished,
      ended: (run: ExecutorRun, termination: Termination, status: number) => this.executorEnded(run, termination, status),
    };
    this.supervisor = new ExecutorSupervisor(port, {
      workDir: options.workDir,
      hostLauncher: options.hostLauncher,
      executorLauncher: options.executorLauncher ?? new OsExecutorProcessLauncher(),
      registrationTimeoutMs: positive('executorRegistrationTimeoutMs', options.executorRegistrationTimeoutMs, DEFAULT_EXECUTOR_REGISTRATION_TIMEOUT_MS),
      gracePeriodMs: positive('executorShutdownGracePeriodMs', options.executorShutdownGracePeriodMs, DEFAULT_EXECUTOR_SHUTDOWN_GRACE_PERIOD_MS),
      rlimits: {
        rlimitNofile: options.rlimitNofile ?? DEFAULT_RLIMIT_NOFILE,
        rlimitCpuSeconds: options.rlimitCpuSeconds,
        enforceMemoryRlimit: options.enforceMemoryRlimit ?? true,
      },
      nats: options.nats,
    }, this.state);
  }

  /** The id the master gave this agent, once registered. */
  /** True while some update of the framework's tasks waits for its acknowledgement. */
  hasUnacknowledgedUpdates(frameworkId: string): boolean {
    return this.streams.hasPending(frameworkId);
  }

  get id(): string | undefined {
    return this.agentId;
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
    this.register();
  }

  protected override finalize(): void {
    this.finished = true;
  }

  protected override exited(pid: UPID, reason: ExitReason): void {
    if (pid !== this.master) {
      this.supervisor.actorExited(pid, reason);
      return;
    }
    if (!this.connected) return;
    this.logger.log('warn', `master ${pid} went away (${reason}): registering again`, { agent: this.agentId });
    this.register();
  }

  // ---- registration -------------------------------------------------------------------------

  /** (Re)registers with randomized, doubling back-off until the master answers. */
  private register(): void {
    this.connected = false;
    this.pingTimer?.cancel();
    if (this.registrationTimer !== undefined || this.stopping !== undefined) return;
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
    const version = this.options.version ?? AGENT_VERSION;
    if (this.agentId === undefined) {
      this.send(this.master, 'agent.Register', { agent_info: this.info, version });
    } else {
      const held = this.state.reregistration(this.agentId, (fw, task) => this.streams.head(fw, task));
      this.send(this.master, 'agent.Reregister', { agent_info: this.info, version, ...held });
    }
  }

  private onRegistered = (body: Messages['agent.Registered'], message: Envelope<'agent.Registered'>): void => {
    if (!this.fromMaster(message) || this.connected) return;
    if (this.agentId !== undefined) {
      this.logger.log('warn', `ignored agent.Registered as ${body.agent_id.value}: this agent is ${this.agentId}`);
      return;
    }
    this.agentId = body.agent_id.value;
    this.logger.log('info', `registered with master ${body.master_id} as ${this.agentId}`);
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
    this.link(this.master);
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
      run = this.state.addExecutor({ frameworkId, executorId, info, kind, runId, directory });
    }
    if (this.state.addLaunch(run, launch) === 'send') this.sendLaunch(run, launch);
    if (fresh) this.supervisor.boot(run, this.agentId!, launch.kind === 'task' && kind === 'command' ? launch.task : undefined);
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
        this.send(this.master, 'agent.FrameworkMessage', {
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
    this.supervisor.subscribed(run, from);
    const launches = this.state.subscribed(run, from);
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
    const stamped: TaskStatus = {
      ...status,
      source: status.source ?? 'SOURCE_EXECUTOR',
      agent_id: { value: this.agentId! },
      executor_id: { value: run.executorId },
    };
    const verdict = this.state.recordUpdate(frameworkId, stamped);
    if (verdict.kind === 'refused') {
      this.logger.log('warn', `dropped an UPDATE: ${verdict.error}`);
    } else if (verdict.kind === 'duplicate') {
      // A resend: once acknowledged, the ack may be what was lost, so the executor hears it again.
      if (!this.streams.isPending(frameworkId, status.task_id.value, status.uuid)) this.acknowledgeToExecutor(run, status.task_id.value, status.uuid);
    } else if (this.state.isShuttingDown(frameworkId)) {
      // Nobody upstream wants it: acknowledge here, so the executor can finish.
      this.acknowledgeToExecutor(run, status.task_id.value, status.uuid);
      if (TERMINAL_TASK_STATES.has(stamped.state)) this.state.removeTask(frameworkId, status.task_id.value);
    } else {
      this.forwardUpdate(frameworkId, stamped);
    }
  }

  private acknowledgeToExecutor(run: ExecutorRun, taskId: string, uuidValue: string): void {
    if (run.pid !== undefined) this.send(run.pid, 'executor.Event', { type: 'ACKNOWLEDGED', acknowledged: { task_id: { value: taskId }, uuid: uuidValue } });
  }

  /** A run is over: its unfinished tasks fail (unless their framework is gone) and the master hears of it. */
  private executorEnded(run: ExecutorRun, termination: Termination, status: number): void {
    const live = this.state.removeExecutor(run);
    const frameworkId = run.frameworkId;
    for (const task of live) {
      const taskId = task.info.task_id.value;
      if (this.state.isShuttingDown(frameworkId)) this.state.removeTask(frameworkId, taskId);
      else this.agentUpdate(frameworkId, taskId, 'TASK_FAILED', termination.reason, termination.message, run.executorId);
    }
    this.logger.log('info', `executor ${run.executorId} of framework ${frameworkId} ended: ${termination.message}`, { agent: this.agentId, status });
    // As Mesos: a command executor is the agent's invention, unknown to the master and the
    // framework, so its end is told through its task's update alone.
    if (run.kind !== 'command') {
      this.send(this.master, 'agent.ExecutorExited', { framework_id: { value: frameworkId }, executor_id: { value: run.executorId }, status });
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
    if (now !== undefined) {
      this.sendUpdate(frameworkId, now);
      this.retryBy(this.streams.retryAt(frameworkId, status.task_id.value));
    }
  }

  private sendUpdate(frameworkId: string, status: TaskStatus): void {
    this.send(this.master, 'agent.StatusUpdate', { framework_id: { value: frameworkId }, status });
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
        this.state.removeTask(frameworkId, taskId);
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
    if (done) this.streams.forget(frameworkId);
  }

  // ---- stopping -----------------------------------------------------------------------------

  private async shutDown(shutdownExecutors: boolean): Promise<void> {
    this.registrationTimer?.cancel();
    this.registrationTimer = undefined;
    this.pingTimer?.cancel();
    if (shutdownExecutors && !this.finished) {
      const gone = new Promise<void>((resolve) => { this.whenAllGone = resolve; });
      for (const run of this.state.runs()) this.supervisor.shutdown(run, { reason: 'REASON_EXECUTOR_TERMINATED', message: 'Agent shut down' });
      if (this.state.runs().length === 0) this.whenAllGone!();
      await gone;
      await this.options.hostLauncher.shutdown().catch((e: Error) => this.logger.log('error', `stopping the executor hosts failed: ${e.message}`));
    }
    if (!this.finished) this.terminate();
  }

  private fromMaster(message: Envelope): boolean {
    if (message.from === this.master) return true;
    this.logger.log('warn', `ignored ${message.type} from ${message.from}: the master is ${this.master}`);
    return false;
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number of ms, got ${value}`);
  return value;
}
