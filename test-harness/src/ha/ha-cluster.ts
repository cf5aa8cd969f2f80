/**
 * An HA scenario on real processes: a 3-server JetStream NATS cluster, `tessera master` children
 * contending over the KV lease, agent children and the recording framework child. Helpers kill
 * and restart each kind of process and read who leads from the lease's KV key.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { bucketName, connectKv } from '@tessera/leader';
import type { LeaderRecord } from '@tessera/protocol';
import { Random } from '@tessera/process';
import { eventually, freePort, startNatsCluster, type NatsCluster } from '../index.js';
import { ScenarioChild } from './child.js';
import { readHistory, type HistoryRecord, type TaskResources } from './history.js';
import { checkInvariants, type Violation } from './invariants.js';
import { explainViolations } from './explain.js';
import { SCENARIO_ENV, killScenarioProcesses, liveTaskIds, liveTaskIdsUnder, taskPids } from './processes.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI_MAIN = path.join(path.dirname(createRequire(import.meta.url).resolve('@tessera/cli')), 'main.js');

export interface HaClusterOptions {
  masters?: number;
  /** Agent processes (fault tests: one agent each). */
  agentProcesses?: number;
  /** Agents per agent process (benchmark: many in one). */
  agentsPerProcess?: number;
  agentResources?: string;
  leaseMs?: number;
  agentReregisterTimeoutMs?: number;
  /** Start the recording framework (default true). */
  framework?: boolean;
  sleepers?: number;
  failoverTimeoutS?: number;
}

export const AGENT_TOTAL: TaskResources = { cpus: 4, mem: 4096 };

export class HaCluster {
  readonly scenario = `ha${Random.fromEntropy().token(6)}`;
  readonly masters = new Map<string, ScenarioChild>();
  readonly agents = new Map<string, ScenarioChild>();
  framework: ScenarioChild | undefined;
  readonly historyFile: string;
  private kv: KV | undefined;

  private constructor(
    readonly nats: NatsCluster,
    readonly dir: string,
    private readonly connection: NatsConnection,
    readonly options: Required<HaClusterOptions>,
  ) {
    this.historyFile = path.join(dir, 'history.jsonl');
  }

  get leaseMs(): number {
    return this.options.leaseMs;
  }

  /** Starts the NATS cluster and every process; resolves once a master leads. */
  static async start(options: HaClusterOptions = {}): Promise<HaCluster> {
    const full: Required<HaClusterOptions> = {
      masters: 3, agentProcesses: 3, agentsPerProcess: 1, agentResources: `cpus:${AGENT_TOTAL.cpus};mem:${AGENT_TOTAL.mem};disk:1000`,
      leaseMs: 2_000, agentReregisterTimeoutMs: 60_000, framework: true, sleepers: 50, failoverTimeoutS: 600, ...options,
    };
    const nats = await startNatsCluster({ size: 3 });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-ha-'));
    const connection = await connectKv(nats.urls.join(','));
    const cluster = new HaCluster(nats, dir, connection, full);
    for (let i = 1; i <= full.masters; i += 1) await cluster.addMaster(`m${i}`, i - 1);
    await cluster.waitForLeader();
    for (let i = 1; i <= full.agentProcesses; i += 1) cluster.addAgents(`a${i}`);
    if (full.framework) cluster.startFramework();
    return cluster;
  }

  private env(): NodeJS.ProcessEnv {
    return { ...process.env, [SCENARIO_ENV]: this.scenario };
  }

  /** Master `name` lists the NATS servers rotated by `first`, so each prefers (connects to) another. */
  private async addMaster(name: string, first: number): Promise<void> {
    const urls = [...this.nats.urls.slice(first), ...this.nats.urls.slice(0, first)];
    const argv = [CLI_MAIN, 'master', '--nats', urls.join(','), '--cluster', this.scenario, '--node', name,
      '--registry-replicas', '3', '--lease', String(this.leaseMs), '--agent-reregister-timeout', String(this.options.agentReregisterTimeoutMs),
      '--allocation-interval', '100', '--http-port', String(await freePort()), '--log-level', process.env.TESSERA_HA_MASTER_LOG ?? 'info'];
    const child = new ScenarioChild(name, argv, path.join(this.dir, `${name}.log`), this.env());
    this.masters.set(name, child);
    child.start();
  }

  /** The NATS URL master `name` connects to (the first it lists). */
  natsUrlOf(master: string): string {
    const index = [...this.masters.keys()].indexOf(master);
    const url = this.nats.urls[index];
    if (url === undefined) throw new Error(`no master ${master}`);
    return url;
  }

  private addAgents(name: string): void {
    const argv = [path.join(here, 'agent-node.js'), '--nats', this.nats.urls.join(','), '--cluster', this.scenario,
      '--work-dir', path.join(this.dir, 'agents'), '--prefix', name, '--count', String(this.options.agentsPerProcess),
      '--resources', this.options.agentResources, '--log-level', this.options.agentsPerProcess > 1 ? 'warn' : 'info'];
    const child = new ScenarioChild(name, argv, path.join(this.dir, `${name}.log`), this.env());
    this.agents.set(name, child);
    child.start();
  }

  startFramework(): void {
    const argv = [path.join(here, 'framework-node.js'), '--nats', this.nats.urls.join(','), '--cluster', this.scenario,
      '--history', this.historyFile, '--id-file', path.join(this.dir, 'framework-id'), '--sleepers', String(this.options.sleepers),
      '--failover-timeout', String(this.options.failoverTimeoutS), '--log-level', process.env.TESSERA_HA_FRAMEWORK_LOG ?? 'info'];
    this.framework ??= new ScenarioChild('framework', argv, path.join(this.dir, 'framework.log'), this.env());
    this.framework.start();
  }

  /** The lease record in KV (who leads, at which epoch), or undefined before any election. */
  async leader(): Promise<LeaderRecord | undefined> {
    this.kv ??= await new Kvm(this.connection).open(bucketName(this.scenario, 'leader'));
    const entry = await this.kv.get('leader');
    if (entry === null || entry.length === 0) return undefined;
    const record = entry.json<LeaderRecord>();
    return record.released === true ? undefined : record;
  }

  /** The leading master's name (its node), once a live one holds the lease. */
  async waitForLeader(timeoutMs = 30_000, other?: LeaderRecord): Promise<{ name: string; record: LeaderRecord }> {
    let found: { name: string; record: LeaderRecord } | undefined;
    await eventually(`a live master leads${other ? ` after epoch ${other.epoch}` : ''}`, async () => {
      const record = await this.leader().catch(() => undefined);
      const name = record?.pid.split('@')[1];
      if (record === undefined || name === undefined || this.masters.get(name)?.alive !== true) return false;
      if (other !== undefined && record.epoch <= other.epoch) return false;
      found = { name, record };
      return true;
    }, timeoutMs, 50);
    return found!;
  }

  history(): HistoryRecord[] {
    return readHistory(this.historyFile);
  }

  /** Broken invariants of the history so far, against the live task processes now. */
  check(launchedBefore?: number): Violation[] {
    const history = this.history();
    const agents = new Set(history.flatMap((r) => (r.kind === 'launch' ? [r.agent_id] : [])));
    const end = { liveTasks: liveTaskIds(this.scenario), agentTotals: new Map([...agents].map((a) => [a, AGENT_TOTAL])) };
    return checkInvariants(history, launchedBefore === undefined ? end : { ...end, launchedBefore });
  }

  /** The log lines naming each violation's task, for a failure's message. */
  explain(violations: readonly Violation[]): string {
    return explainViolations(this.dir, violations);
  }

  /** Live task ids on the agents of agent process `name`. */
  liveTasksOf(name: string): Set<string> {
    return liveTaskIdsUnder(this.scenario, path.join(this.dir, 'agents', name));
  }

  taskPids(taskId: string): number[] {
    return taskPids(this.scenario, taskId);
  }

  /** Starts agent process `name` again (same node names and work dirs: the agents recover). */
  restartAgents(name: string): void {
    const child = this.agents.get(name);
    if (child === undefined) throw new Error(`no agent process ${name}`);
    child.start();
  }

  /** Starts master `name` again after a kill. */
  restartMaster(name: string): void {
    const child = this.masters.get(name);
    if (child === undefined) throw new Error(`no master ${name}`);
    child.start();
  }

  /** Waits until master `name`'s latest run contends for the lease (a standby ready to take over). */
  async waitForContending(name: string, timeoutMs = 30_000): Promise<void> {
    const child = this.masters.get(name);
    if (child === undefined) throw new Error(`no master ${name}`);
    await eventually(`${name} contends for leadership`, () => child.logLinesWith('contending for leadership') >= child.starts, timeoutMs, 50);
  }

  /** Stops the framework's short tasks and waits until every one it launched has ended. */
  async quiesce(timeoutMs = 30_000): Promise<void> {
    this.framework?.signal('SIGUSR2');
    try {
      await eventually('every short task ended', () => this.openTasks('short').length === 0, timeoutMs, 100);
    } catch (err) {
      const open = this.openTasks('short');
      const last = this.lastStates();
      const why = open.map((id): Violation => ({ invariant: 'forgotten-task', task_id: id, detail: `still open (${last.get(id) ?? 'no update'})` }));
      throw new Error(`${(err as Error).message}\n${this.explain(why)}`);
    }
  }

  /** Ids of the tasks of `role` the history has launched and not seen end. */
  openTasks(role: 'sleep' | 'short'): string[] {
    const open = new Set<string>();
    for (const r of this.history()) {
      if (r.kind === 'launch' && r.role === role) open.add(r.task_id);
      if (r.kind === 'update' && !['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_UNREACHABLE'].includes(r.state)) open.delete(r.task_id);
    }
    return [...open];
  }

  /** Latest state of each task in the history. */
  lastStates(): Map<string, string> {
    const states = new Map<string, string>();
    for (const r of this.history()) if (r.kind === 'update') states.set(r.task_id, r.state);
    return states;
  }

  liveTasks(): Set<string> {
    return liveTaskIds(this.scenario);
  }

  /** Kills every process of the scenario (executors and tasks included) and the NATS cluster. */
  async stop(): Promise<void> {
    const children = [this.framework, ...this.agents.values(), ...this.masters.values()];
    await Promise.all(children.map((c) => c?.kill('SIGKILL')));
    killScenarioProcesses(this.scenario);
    await this.connection.close().catch(() => undefined);
    await this.nats.stop().catch(() => undefined);
    if (process.env.TESSERA_HA_KEEP === undefined) rmSync(this.dir, { recursive: true, force: true });
  }
}
