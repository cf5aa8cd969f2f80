import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Envelope, MessageType, Messages, TaskInfo, TaskState } from '@tessera/protocol';
import { ManualClock, MemoryNetwork, Process, Random, Runtime, memoryLogger, type UPID } from '@tessera/process';
import { Agent, type AgentOptions, type ExecutorHostLauncher, type ExecutorProcess, type ExecutorProcessLauncher, type ExecutorProcessSpec, type ExitStatus } from '../src/index.js';

/** A process that records the messages it gets and can send anything. */
export class Peer extends Process {
  readonly inbox: Envelope[] = [];

  constructor(name: string, private readonly onMessage?: (peer: Peer, message: Envelope) => boolean) {
    super(name);
  }

  protected initialize(): void {
    const types: MessageType[] = [
      'agent.Register', 'agent.Reregister', 'agent.Pong', 'agent.StatusUpdate', 'agent.FrameworkMessage', 'agent.ExecutorExited',
    ];
    for (const type of types) {
      this.install(type, (_body, message) => {
        // The hook may swallow a message (a master that does not answer yet).
        if (this.onMessage?.(this, message) === false) return;
        this.inbox.push(message);
      });
    }
  }

  tell<K extends MessageType>(to: UPID, type: K, body: Messages[K]): void {
    this.send(to, type, body);
  }

  answer<K extends MessageType>(message: Envelope, type: K, body: Messages[K]): void {
    this.reply(message, type, body);
  }

  ping(to: UPID, connected: boolean): Promise<Messages['agent.Pong']> {
    return this.ask(to, 'agent.Ping', { connected }, { expect: 'agent.Pong' });
  }

  got<K extends MessageType>(type: K): Messages[K][] {
    return this.inbox.filter((m) => m.type === type).map((m) => m.body as Messages[K]);
  }

  clear(): void {
    this.inbox.length = 0;
  }
}

/** Stands in for an executor: subscribes (unless told not to), records events, sends calls. */
export class FakeExecutor extends Process {
  readonly events: Messages['executor.Event'][] = [];
  private updates = 0;

  constructor(name: string, readonly agent: UPID, readonly frameworkId: string, readonly executorId: string, private readonly autoSubscribe = true) {
    super(name);
  }

  protected initialize(): void {
    this.install('executor.Event', (event) => { this.events.push(event); });
    if (this.autoSubscribe) this.subscribe();
  }

  subscribe(): void {
    this.call('SUBSCRIBE', {});
  }

  /** Sends an UPDATE; returns its uuid. */
  update(taskId: string, state: TaskState, uuid = `u${++this.updates}-${taskId}`): string {
    this.call('UPDATE', { update: { status: { task_id: { value: taskId }, state, uuid, source: 'SOURCE_EXECUTOR' } } });
    return uuid;
  }

  message(data: string): void {
    this.call('MESSAGE', { message: { data } });
  }

  exit(): void {
    this.terminate();
  }

  eventsOf(type: Messages['executor.Event']['type']): Messages['executor.Event'][] {
    return this.events.filter((e) => e.type === type);
  }

  private call(type: Messages['executor.Call']['type'], fields: Partial<Messages['executor.Call']>): void {
    this.send(this.agent, 'executor.Call', { type, framework_id: { value: this.frameworkId }, executor_id: { value: this.executorId }, ...fields });
  }
}

/** An executor host: answers Spawn by starting a FakeExecutor in its runtime. */
export class FakeHost extends Process {
  readonly spawns: Messages['executor.Spawn'][] = [];
  readonly executors = new Map<string, FakeExecutor>();
  subscribe = true;
  failWith: string | undefined;
  private count = 0;

  constructor(private readonly runtime: () => Runtime) {
    super('executor-host');
  }

  protected initialize(): void {
    this.install('executor.Spawn', (spawn, message) => {
      this.spawns.push(spawn);
      if (this.failWith !== undefined) {
        this.reply(message, 'executor.Spawned', { executor_id: spawn.executor_info.executor_id, error: this.failWith });
        return;
      }
      const id = spawn.executor_info.executor_id.value;
      const executor = new FakeExecutor(`executor-${++this.count}`, spawn.agent, spawn.framework_id.value, id, this.subscribe);
      this.executors.set(id, this.runtime().spawn(executor));
      this.reply(message, 'executor.Spawned', { executor_id: spawn.executor_info.executor_id, pid: executor.pid });
    });
  }
}

/** Hands out the fake host. */
export class FakeHostLauncher implements ExecutorHostLauncher {
  calls: string[] = [];
  forgotten: UPID[] = [];
  shutdowns = 0;
  /** What `gone` answers: whether the host's OS process is known to have exited. */
  hostGone = false;
  constructor(private readonly host: () => UPID) {}
  gone(): boolean {
    return this.hostGone;
  }
  async hostFor(frameworkId: string): Promise<UPID> {
    this.calls.push(frameworkId);
    return this.host();
  }
  forget(_frameworkId: string, pid: UPID): void {
    this.forgotten.push(pid);
  }
  async shutdown(): Promise<void> {
    this.shutdowns += 1;
  }
}

/** Starts custom executors as FakeExecutors; their "process" ends when told or killed. */
export class FakeProcessLauncher implements ExecutorProcessLauncher {
  readonly launched: { spec: ExecutorProcessSpec; executor: FakeExecutor; signals: string[]; end: (status: ExitStatus) => void }[] = [];
  constructor(private readonly runtime: () => Runtime) {}
  launch(spec: ExecutorProcessSpec): ExecutorProcess {
    const env = spec.environment;
    const executor = this.runtime().spawn(new FakeExecutor(`custom-${this.launched.length + 1}`, env.TESSERA_AGENT!, env.TESSERA_FRAMEWORK_ID!, env.TESSERA_EXECUTOR_ID!));
    let end!: (status: ExitStatus) => void;
    const exited = new Promise<ExitStatus>((resolve) => { end = resolve; });
    const entry = { spec, executor, signals: [] as string[], end };
    this.launched.push(entry);
    return {
      pid: 4242,
      exited,
      kill: (signal) => {
        entry.signals.push(signal);
        if (signal === 'SIGKILL') end({ code: null, signal: 'SIGKILL' });
      },
    };
  }
}

export interface Cluster {
  clock: ManualClock;
  network: MemoryNetwork;
  master: Peer;
  agent: Agent;
  host: FakeHost;
  hostLauncher: FakeHostLauncher;
  processLauncher: FakeProcessLauncher;
  workDir: string;
  masterRuntime: Runtime;
  agentRuntime: Runtime;
  hostRuntime: Runtime;
  settle(): Promise<void>;
  /** Advances the clock in steps of at most `step` ms, settling after each. */
  advance(ms: number, step?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  agent?: Partial<AgentOptions>;
  /** Returns false to swallow a message the master got (default: answer registrations). */
  master?: (peer: Peer, message: Envelope) => boolean;
  /** Answer Register/Reregister (default true). */
  answerRegistrations?: boolean;
  /** The network to join (default: a new one), for tests that add nodes of their own. */
  network?: MemoryNetwork;
}

/** A fake master, a fake executor host and a real agent on one in-memory network and manual clock. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const clock = new ManualClock();
  const network = options.network ?? new MemoryNetwork();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-agent-'));
  const make = (node: string, seed: number) => Runtime.create({ transport: network.transport(node), clock, random: new Random(seed), logger: memoryLogger() });
  const masterRuntime = await make('master', 1);
  const agentRuntime = await make('agent-node', 2);
  const hostRuntime = await make('host-node', 3);
  const runtimes = [masterRuntime, agentRuntime, hostRuntime];
  let agents = 0;
  const answer = options.answerRegistrations ?? true;
  const master = masterRuntime.spawn(new Peer('master', (peer, message) => {
    if (options.master?.(peer, message) === false) return false;
    if (answer && message.type === 'agent.Register') {
      peer.answer(message, 'agent.Registered', { agent_id: { value: `S${agents++}` }, master_id: 'M1', ping_interval_ms: 15_000, max_missed_pings: 5 });
    }
    if (answer && message.type === 'agent.Reregister') {
      const body = message.body as Messages['agent.Reregister'];
      peer.answer(message, 'agent.Reregistered', { agent_id: body.agent_info.id!, master_id: 'M1', ping_interval_ms: 15_000, max_missed_pings: 5 });
    }
    return true;
  }));
  const host = hostRuntime.spawn(new FakeHost(() => hostRuntime));
  const hostLauncher = new FakeHostLauncher(() => host.pid);
  const processLauncher = new FakeProcessLauncher(() => hostRuntime);
  const agent = agentRuntime.spawn(new Agent({ workDir, hostLauncher, executorLauncher: processLauncher, resources: 'cpus:4;mem:4096;disk:10000', ...options.agent }));
  const settle = async (): Promise<void> => {
    await clock.settle();
    for (const runtime of runtimes) await runtime.flush();
    await clock.settle();
  };
  await settle();
  return {
    clock, network, master, agent, host, hostLauncher, processLauncher, workDir, masterRuntime, agentRuntime, hostRuntime, settle,
    async advance(ms, step = 500) {
      for (let left = ms; left > 0; left -= step) {
        clock.advance(Math.min(step, left));
        await settle();
      }
    },
    async stop() {
      for (const runtime of runtimes) await runtime.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** A framework info with an id. */
export function framework(id = 'F1', extra: Partial<Messages['agent.RunTask']['framework']> = {}): Messages['agent.RunTask']['framework'] {
  return { user: 'u', name: `fw-${id}`, id: { value: id }, ...extra };
}

/** A command task. */
export function commandTask(id: string, command = 'sleep 1', agentId = 'S0'): TaskInfo {
  return {
    name: id,
    task_id: { value: id },
    agent_id: { value: agentId },
    resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }, { name: 'mem', type: 'SCALAR', scalar: { value: 64 } }],
    command: { value: command },
  };
}

/** Starts a cluster and lets the agent register (first attempt within 1 s). */
export async function registeredCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const cluster = await startCluster(options);
  await cluster.advance(1_000);
  if (cluster.agent.id === undefined) throw new Error('the agent did not register');
  cluster.master.clear();
  return cluster;
}
