import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Agent } from '@tessera/agent';
import type { Master } from '@tessera/master';
import { Random, memoryLogger, type Logger } from '@tessera/process';
import type { FrameworkInfo, Offer, TaskStatus } from '@tessera/protocol';
import { SchedulerDriver } from '@tessera/scheduler-driver';
import { eventually, startNatsServer, type NatsServer } from '@tessera/test-harness';
import type { MasterOptions } from '@tessera/master';
import { startAgentService, startMasterService, type Network, type Service } from '../../src/services.js';

export interface E2ECluster {
  nats: NatsServer;
  network: Network & { nats: string; cluster: string };
  master: Service<Master>;
  agents: Service<Agent>[];
  workDir: string;
  logger: Logger;
  stop(): Promise<void>;
}

/** Fast failure detection, so that tests of unreachable agents take seconds, not minutes. */
export const FAST_MASTER: MasterOptions = { allocationIntervalMs: 50, agentPingTimeoutMs: 200, maxAgentPingTimeouts: 3, frameworkHeartbeatMs: 1_000 };

/** A real nats-server, a master and `agents` agents (in this process; executors are OS processes). */
export async function startCluster(options: { agents?: number; resources?: string; master?: MasterOptions } = {}): Promise<E2ECluster> {
  const nats = await startNatsServer();
  const network = { nats: nats.url, cluster: `e2e${Random.fromEntropy().token(6)}` };
  const logger = memoryLogger();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-e2e-'));
  const master = await startMasterService(network, logger, { ...FAST_MASTER, ...options.master });
  const agents: Service<Agent>[] = [];
  for (let i = 1; i <= (options.agents ?? 1); i++) {
    agents.push(await startAgentService(network, logger, { node: `agent-${i}`, workDir, hostname: `agent-${i}`, resources: options.resources ?? 'cpus:4;mem:4096;disk:1000;ports:[31000-31100]' }));
  }
  await eventually('agents registered', () => master.process.state.agents.size === agents.length);
  return {
    nats, network, master, agents, workDir, logger,
    async stop() {
      for (const agent of agents) await agent.stop();
      await master.stop();
      await nats.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** A framework driven from a test: every event it got, and offers it has not used. */
export class TestFramework {
  readonly updates: TaskStatus[] = [];
  readonly rescinded: string[] = [];
  readonly offers: Offer[] = [];
  readonly errors: string[] = [];
  readonly driver: SchedulerDriver;
  frameworkId = '';

  constructor(cluster: E2ECluster, framework: Partial<FrameworkInfo> = {}, options: { implicitAcknowledgements?: boolean } = {}) {
    this.driver = new SchedulerDriver({
      framework: { user: 'e2e', name: 'e2e', ...framework },
      nats: { servers: cluster.network.nats, cluster: cluster.network.cluster },
      implicitAcknowledgements: options.implicitAcknowledgements ?? true,
      logger: memoryLogger(),
      scheduler: {
        offers: (offers) => { this.offers.push(...offers); },
        rescind: (id) => { this.rescinded.push(id); },
        update: (status) => { this.updates.push(status); },
        error: (message) => { this.errors.push(message); },
      },
    });
  }

  async start(): Promise<this> {
    this.frameworkId = await this.driver.start();
    return this;
  }

  /** Waits for an offer (of at least `cpus`) and takes it out of the pool. */
  async takeOffer(what = 'an offer'): Promise<Offer> {
    await eventually(what, () => this.offers.length > 0, 10_000);
    return this.offers.shift()!;
  }

  statesOf(taskId: string): string[] {
    return this.updates.filter((u) => u.task_id.value === taskId).map((u) => u.state);
  }

  async waitForState(taskId: string, state: string, timeoutMs = 15_000): Promise<TaskStatus> {
    await eventually(`task ${taskId} in ${state} (saw ${this.statesOf(taskId).join(', ')})`, () => this.statesOf(taskId).includes(state), timeoutMs);
    return this.updates.find((u) => u.task_id.value === taskId && u.state === state)!;
  }
}

/** Every file named `name` under `dir`. */
export function findFiles(dir: string, name: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findFiles(full, name));
    else if (entry.name === name) found.push(full);
  }
  return found;
}

/** The pids a task wrote, one per line, to a file in its sandbox. */
export function pidsIn(file: string): number[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills what a test left behind: every process whose environment names this NATS server. */
export function killProcessesOf(natsUrl: string): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (environ.includes(`TESSERA_NATS_URL=${natsUrl}`)) process.kill(Number(entry), 'SIGKILL');
    } catch {
      // gone already, or not ours to read
    }
  }
}

/**
 * Registers before/after hooks that start a cluster for the enclosing `describe` and tear it
 * down (with every process its tasks left); returns a getter for it.
 */
export function useCluster(options: Parameters<typeof startCluster>[0] = {}): () => E2ECluster {
  let cluster: E2ECluster | undefined;
  before(async () => { cluster = await startCluster(options); });
  after(async () => {
    if (cluster === undefined) return;
    killProcessesOf(cluster.network.nats);
    await cluster.stop();
  });
  return () => cluster!;
}
