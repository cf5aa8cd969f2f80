import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, InProcessHostLauncher } from '@tessera/agent';
import { ExecutorHost } from '@tessera/executor-driver';
import { MemoryLeaseStore } from '@tessera/leader';
import { Master, MasterContender, MemoryRegistryStore, type MasterFlags } from '@tessera/master';
import { MemoryNetwork, NatsTransport, Random, Runtime, memoryLogger, type Clock, type Transport } from '@tessera/process';
import { Resources, TERMINAL_TASK_STATES, type TaskState, type TaskStatus } from '@tessera/protocol';
import { SchedulerDriver } from '@tessera/scheduler-driver';
import { eventually } from '@tessera/test-harness';
import { startAgentHttp, startMasterHttp, type ListeningServer } from '../src/index.js';

export { eventually };

/**
 * A real master and agent on one in-memory network (or a real NATS server, with `nats`), each with
 * its HTTP server on 127.0.0.1, running tasks as OS processes. Exported as
 * `@tessera/http/test-support` for the CLI's tests too.
 */
export interface HttpCluster {
  master: Master;
  contender: MasterContender;
  agent: Agent;
  masterRuntime: Runtime;
  agentRuntime: Runtime;
  masterHttp: ListeningServer;
  agentHttp: ListeningServer;
  workDir: string;
  /** The in-memory network the runtimes share (unused by runtimes when `nats` was given). */
  network: MemoryNetwork;
  /** A second master on the same lease and registry, standing by: its server redirects to the leader's. */
  startStandby(): Promise<ListeningServer>;
  stop(): Promise<void>;
}

export interface HttpClusterOptions {
  /** Drives SUBSCRIBE heartbeats (default: the system clock). */
  heartbeatClock?: Clock;
  heartbeatMs?: number;
  /** Runs every runtime over this NATS server (a real one, from test-harness) instead of in memory. */
  nats?: { servers: string; cluster: string };
  /** Master flags beyond the fixture's (e.g. a short `frameworkHeartbeatMs`). */
  masterFlags?: Partial<MasterFlags>;
}

export async function startHttpCluster(options: HttpClusterOptions = {}): Promise<HttpCluster> {
  const network = new MemoryNetwork();
  const logger = memoryLogger();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-http-'));
  const nats = options.nats;
  const transport = (node: string): Transport => nats === undefined ? network.transport(node) : new NatsTransport({ node, servers: nats.servers, cluster: nats.cluster });
  const masterRuntime = await Runtime.create({ transport: transport('master'), logger, random: new Random(1) });
  const agentRuntime = await Runtime.create({ transport: transport('agent-1'), logger, random: new Random(2) });
  const lease = new MemoryLeaseStore();
  const registry = new MemoryRegistryStore();
  const clockOptions = {
    ...(options.heartbeatClock === undefined ? {} : { clock: options.heartbeatClock }),
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
  };
  // Each master's HTTP server listens first, so that the lease can carry its address for a standby's redirect.
  const startMaster = async (runtime: Runtime, flags: Partial<MasterFlags>): Promise<{ contender: MasterContender; http: ListeningServer }> => {
    let contender: MasterContender | undefined;
    const source = { get master() { return contender?.master; }, get leader() { return contender?.leader; } };
    const http = await startMasterHttp({ runtime, source, logger, host: '127.0.0.1', port: 0, ownHttp: () => `127.0.0.1:${http.port}`, ...clockOptions });
    contender = new MasterContender({ runtime, lease, registry, master: { hostname: '127.0.0.1', ...flags }, hostname: '127.0.0.1', http: `127.0.0.1:${http.port}` });
    return { contender, http };
  };
  const { contender, http: masterHttp } = await startMaster(masterRuntime, { allocationIntervalMs: 50, ...options.masterFlags });
  const elected = new Promise<Master>((resolve) => contender.onElected(resolve));
  contender.start();
  const master = await elected;
  let agent: Agent | undefined;
  const agentHttp = await startAgentHttp({ runtime: agentRuntime, agent: () => agent, logger, host: '127.0.0.1', port: 0 });
  const hostLauncher = new InProcessHostLauncher(agentRuntime, ({ onIdle }) => new ExecutorHost({ runtime: agentRuntime, onIdle }));
  agent = agentRuntime.spawn(new Agent({
    workDir, hostLauncher, hostname: '127.0.0.1', port: agentHttp.port, resources: 'cpus:4;mem:1024;disk:1024;ports:[31000-32000]', attributes: 'rack:r1',
    registrationBackoffFactorMs: 10, executorShutdownGracePeriodMs: 500,
  }));
  const registeredAgent = agent;
  await eventually('the agent registers', () => registeredAgent.id !== undefined);
  const standbys: (() => Promise<void>)[] = [];
  return {
    master, contender, agent, masterRuntime, agentRuntime, masterHttp, agentHttp, workDir, network,
    async startStandby() {
      const runtime = await Runtime.create({ transport: transport(`master-${standbys.length + 2}`), logger, random: Random.fromEntropy() });
      const standby = await startMaster(runtime, {});
      standby.contender.start();
      await eventually('the standby knows the leader', () => standby.contender.leader !== undefined);
      standbys.push(async () => { await standby.http.close(); await standby.contender.stop(); await runtime.stop(); });
      return standby.http;
    },
    async stop() {
      for (const stopStandby of standbys) await stopStandby();
      await agentHttp.close();
      await masterHttp.close();
      await registeredAgent.stop({ shutdownExecutors: true });
      await agentRuntime.stop();
      await contender.stop();
      await masterRuntime.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** A framework that runs each queued command as one task and records every update. */
export class TestFramework {
  readonly updates: TaskStatus[] = [];
  readonly driver: SchedulerDriver;
  private readonly queue: { id: string; command: string }[] = [];
  frameworkId = '';

  constructor(runtime: Runtime, name = 'http-test') {
    this.driver = new SchedulerDriver({
      framework: { user: os.userInfo().username, name, roles: ['*'], failover_timeout: 0 },
      runtime,
      master: 'master@master',
      scheduler: {
        offers: (offers) => {
          for (const offer of offers) {
            const need = Resources.parse('cpus:0.1;mem:32').withAllocation(offer.allocation_info?.role ?? '*');
            const tasks = this.queue.splice(0).map(({ id, command }) => ({
              name: id, task_id: { value: id }, agent_id: offer.agent_id, resources: need.toJSON(), command: { value: command, shell: true },
            }));
            if (tasks.length > 0) this.driver.launch([offer.id.value], tasks, { refuse_seconds: 0.05 });
            else this.driver.decline([offer.id.value], { refuse_seconds: 0.05 });
          }
        },
        update: (status) => { this.updates.push(status); },
      },
    });
  }

  async start(): Promise<this> {
    this.frameworkId = await this.driver.start();
    return this;
  }

  run(id: string, command: string): void {
    this.queue.push({ id, command });
  }

  latest(taskId: string): TaskState | undefined {
    return this.updates.filter((u) => u.task_id.value === taskId).at(-1)?.state;
  }

  async waitFor(taskId: string, state: TaskState): Promise<void> {
    await eventually(`task ${taskId} reaches ${state} (now ${this.latest(taskId)})`, () => this.latest(taskId) === state, 15_000);
  }

  async waitEnded(taskId: string): Promise<TaskState> {
    await eventually(`task ${taskId} ends`, () => TERMINAL_TASK_STATES.has(this.latest(taskId) ?? 'TASK_STAGING'), 15_000);
    return this.latest(taskId)!;
  }

  async stop(): Promise<void> {
    await this.driver.stop({ failover: false });
  }
}

/** GET with JSON parsed; the status and headers come along. */
export async function getJson(url: string, init: RequestInit = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: response.headers };
}

/** POST a JSON body to /api/v1. */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  return getJson(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}
