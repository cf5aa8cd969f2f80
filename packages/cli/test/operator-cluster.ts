import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, InProcessHostLauncher } from '@tessera/agent';
import { ExecutorHost } from '@tessera/executor-driver';
import { startAgentHttp, startMasterHttp, type ListeningServer } from '@tessera/http';
import { MemoryLeaseStore } from '@tessera/leader';
import { MasterContender, MemoryRegistryStore, type Master } from '@tessera/master';
import { MemoryNetwork, Random, Runtime, memoryLogger } from '@tessera/process';
import { Resources, TERMINAL_TASK_STATES, type TaskState, type TaskStatus } from '@tessera/protocol';
import { SchedulerDriver } from '@tessera/scheduler-driver';
import { eventually } from '@tessera/test-harness';

// The cluster the operator commands are tested against: a real master and agent (in this process,
// on an in-memory network) with their real HTTP servers on 127.0.0.1, running tasks as OS processes.

export interface OperatorCluster {
  master: Master;
  agent: Agent;
  masterHttp: ListeningServer;
  agentHttp: ListeningServer;
  masterRuntime: Runtime;
  /** A second master on the same lease, standing by: its server redirects to the leader's. */
  startStandby(): Promise<ListeningServer>;
  stop(): Promise<void>;
}

export async function startOperatorCluster(): Promise<OperatorCluster> {
  const network = new MemoryNetwork();
  const logger = memoryLogger();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-operator-'));
  const masterRuntime = await Runtime.create({ transport: network.transport('master'), logger, random: Random.fromEntropy() });
  const agentRuntime = await Runtime.create({ transport: network.transport('agent-1'), logger, random: Random.fromEntropy() });
  const lease = new MemoryLeaseStore();
  const registry = new MemoryRegistryStore();
  // The HTTP server listens first, so that the lease can carry its address for a standby's redirect.
  let contender: MasterContender | undefined;
  const source = { get master() { return contender?.master; }, get leader() { return contender?.leader; } };
  const masterHttp = await startMasterHttp({ runtime: masterRuntime, source, logger, host: '127.0.0.1', port: 0, ownHttp: () => `127.0.0.1:${masterHttp.port}` });
  contender = new MasterContender({
    runtime: masterRuntime, lease, registry, master: { hostname: '127.0.0.1', allocationIntervalMs: 50 }, hostname: '127.0.0.1', http: `127.0.0.1:${masterHttp.port}`,
  });
  const elected = new Promise<Master>((resolve) => contender!.onElected(resolve));
  contender.start();
  const master = await elected;
  const leader = contender;
  let agent: Agent | undefined;
  const agentHttp = await startAgentHttp({ runtime: agentRuntime, agent: () => agent, logger, host: '127.0.0.1', port: 0 });
  const hostLauncher = new InProcessHostLauncher(agentRuntime, ({ onIdle }) => new ExecutorHost({ runtime: agentRuntime, onIdle }));
  agent = agentRuntime.spawn(new Agent({
    workDir, hostLauncher, hostname: '127.0.0.1', port: agentHttp.port, resources: 'cpus:4;mem:1024;disk:1024;ports:[31000-32000]',
    registrationBackoffFactorMs: 10, executorShutdownGracePeriodMs: 500,
  }));
  const spawned = agent;
  const stoppers: (() => Promise<void>)[] = [];
  await eventually('the agent registers', () => spawned.id !== undefined);
  return {
    master, agent: spawned, masterHttp, agentHttp, masterRuntime,
    async startStandby() {
      const runtime = await Runtime.create({ transport: network.transport('master-2'), logger, random: Random.fromEntropy() });
      let standby: MasterContender | undefined;
      const standbySource = { get master() { return standby?.master; }, get leader() { return standby?.leader; } };
      const http = await startMasterHttp({ runtime, source: standbySource, logger, host: '127.0.0.1', port: 0, ownHttp: () => `127.0.0.1:${http.port}` });
      standby = new MasterContender({ runtime, lease, registry, master: { hostname: '127.0.0.1' }, hostname: '127.0.0.1', http: `127.0.0.1:${http.port}` });
      standby.start();
      const following = standby;
      await eventually('the standby knows the leader', () => following.leader !== undefined);
      stoppers.push(async () => { await http.close(); await following.stop(); await runtime.stop(); });
      return http;
    },
    async stop() {
      for (const stopStandby of stoppers) await stopStandby();
      await agentHttp.close();
      await masterHttp.close();
      await spawned.stop({ shutdownExecutors: true });
      await agentRuntime.stop();
      await leader.stop();
      await masterRuntime.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** A framework that runs each queued shell command as one task and records every update. */
export class CommandFramework {
  readonly updates: TaskStatus[] = [];
  readonly driver: SchedulerDriver;
  private readonly queue: { id: string; command: string }[] = [];
  frameworkId = '';

  constructor(runtime: Runtime, name: string) {
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

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/tessera.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `tessera ARGS` as a child process, without blocking this process's event loop (the master
 * it talks to runs here).
 */
export function tessera(...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}
