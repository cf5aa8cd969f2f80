import { closeSync, mkdirSync, mkdtempSync, openSync, readSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectKv, findLeaseDetector, type LeaseDetector } from '@tessera/leader';
import type { LeaderRecord } from '@tessera/protocol';
import { eventually, freePort, processExists, startNatsCluster, startNatsServer, type NatsCluster, type NatsServer } from '@tessera/test-harness';
import type { NatsConnection } from '@nats-io/transport-node';
import { TesseraChild } from './child.js';

/** What a scale run starts. */
export interface ScaleClusterOptions {
  agents: number;
  /** Each simulated agent's resources. */
  resources: string;
  /** Masters contending for the lease (1 or 3). */
  masters: 1 | 3;
  /** nats-servers: 1, or 3 routed (the lease and registry then have 3 replicas). Default: as many as masters. */
  natsServers?: 1 | 3;
  allocationIntervalMs?: number;
  /** The masters' lease (default: tessera master's, 10 s). */
  leaseMs?: number;
  /** NATS connections the simulated agents share (default: the sim's own choice). */
  connections?: number;
  /** The agents' registration back-off factor (default: the sim's, Mesos's 1 s). */
  registrationBackoffMs?: number;
  /** Node flags for the masters (e.g. a CPU profile). */
  masterNodeFlags?: string[];
  simNodeFlags?: string[];
  log?: (line: string) => void;
}

const CLUSTER = 'scale';
/** Sandbox dirs are `<SANDBOXES><pid of the bench>-<random>`. */
const SANDBOXES = 'tessera-scale-sandboxes-';

/**
 * Removes sandbox dirs left by benches that were killed: 10,000 agents' sandboxes are ~400,000
 * inodes, and a few such leftovers fill /dev/shm's inode table (ENOSPC with no bytes used).
 */
function removeStaleSandboxes(parent: string): void {
  for (const name of readdirSync(parent)) {
    const pid = /^tessera-scale-sandboxes-(\d+)-/.exec(name)?.[1];
    if (pid !== undefined && !processExists(Number(pid))) rmSync(path.join(parent, name), { recursive: true, force: true });
  }
}

/**
 * A scale run's processes: NATS (one server, or three routed ones with JetStream), `tessera
 * master` children (their own OS processes, so their CPU and memory are theirs alone), and one
 * `tessera sim` child holding every simulated agent. Work files and logs go under a temp dir;
 * sandboxes under /dev/shm when it exists (tmpfs: a sandbox's mkdirs cost no disk).
 */
export class ScaleCluster {
  readonly masters = new Map<string, { child: TesseraChild; http: string }>();
  sim!: TesseraChild;
  private kv: NatsConnection | undefined;
  private leases: LeaseDetector | undefined;
  private readonly tails = new Map<string, { offset: number; count: number; partial: string }>();

  private constructor(
    readonly options: ScaleClusterOptions,
    readonly nats: NatsServer | NatsCluster,
    readonly dir: string,
    readonly sandboxes: string,
  ) {}

  /** NATS URLs, comma separated. */
  get url(): string {
    return 'urls' in this.nats ? this.nats.urls.join(',') : this.nats.url;
  }

  get cluster(): string {
    return CLUSTER;
  }

  static async start(options: ScaleClusterOptions): Promise<ScaleCluster> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-scale-'));
    const shm = '/dev/shm';
    const parent = existsDir(shm) ? shm : dir;
    removeStaleSandboxes(parent);
    const sandboxes = mkdtempSync(path.join(parent, `${SANDBOXES}${process.pid}-`));
    const nats = (options.natsServers ?? options.masters) === 3 ? await startNatsCluster({ size: 3 }) : await startNatsServer({ jetstream: true });
    const cluster = new ScaleCluster(options, nats, dir, sandboxes);
    try {
      for (let i = 1; i <= options.masters; i += 1) await cluster.startMaster(options.masters === 1 ? 'master' : `m${i}`);
      await cluster.leader();
      cluster.startSim();
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  private async startMaster(name: string): Promise<void> {
    const port = await freePort();
    const args = ['master', '--nats', this.url, '--cluster', CLUSTER, '--node', name, '--http-port', String(port), '--http-host', '127.0.0.1',
      '--allocation-interval', String(this.options.allocationIntervalMs ?? 1_000), '--log-level', 'info',
      '--registry-replicas', String(this.options.natsServers ?? this.options.masters), ...(this.options.leaseMs === undefined ? [] : ['--lease', String(this.options.leaseMs)]),
      // 10,000 agents re-registering after a failover must not be cut short.
      '--agent-reregister-timeout', '600000'];
    const child = new TesseraChild(name, args, path.join(this.dir, `${name}.log`), this.options.masterNodeFlags);
    this.masters.set(name, { child, http: `http://127.0.0.1:${port}` });
  }

  private startSim(): void {
    const args = ['sim', '--agents', String(this.options.agents), '--resources', this.options.resources, '--nats', this.url, '--cluster', CLUSTER,
      '--work-dir', this.sandboxes, ...(this.options.connections === undefined ? [] : ['--connections', String(this.options.connections)]),
      ...(this.options.registrationBackoffMs === undefined ? [] : ['--registration-backoff', String(this.options.registrationBackoffMs)])];
    this.sim = new TesseraChild('sim', args, path.join(this.dir, 'sim.log'), this.options.simNodeFlags);
  }

  /** The leading master, once a live one holds the lease (a later one than `not`, if given). */
  async leader(timeoutMs = 60_000, not?: LeaderRecord): Promise<{ name: string; http: string; pid: number; record: LeaderRecord }> {
    let found: { name: string; http: string; pid: number; record: LeaderRecord } | undefined;
    await eventually('a live master leads', async () => {
      const detector = await this.detector().catch(() => undefined);
      const record = detector?.leader;
      if (record === undefined) return false;
      const name = record.pid.split('@')[1]!;
      const master = this.masters.get(name);
      if (master === undefined || !master.child.alive) return false;
      if (not !== undefined && record.epoch <= not.epoch) return false;
      found = { name, http: master.http, pid: master.child.pid, record };
      return true;
    }, timeoutMs, 20);
    return found!;
  }

  /** A detector of the leading master (shared: frameworks in the bench's own process follow it too). */
  async detector(): Promise<LeaseDetector> {
    if (this.leases !== undefined) return this.leases;
    this.kv ??= await connectKv(this.url);
    const detector = await findLeaseDetector(this.kv, CLUSTER);
    if (detector === undefined) throw new Error('the masters have no lease bucket yet');
    this.leases = detector;
    return detector;
  }

  /** The leader's metrics (Mesos's /metrics/snapshot). */
  async metrics(): Promise<Record<string, number>> {
    const leader = await this.leader();
    const response = await fetch(`${leader.http}/metrics/snapshot`);
    if (response.status !== 200) throw new Error(`/metrics/snapshot answered ${response.status}`);
    return await response.json() as Record<string, number>;
  }

  /**
   * The leader's event loop delay since the last call (prom-client's histogram, reset at every
   * scrape of /metrics): what a timer, a heartbeat or a /health waits for there.
   */
  async masterLoopDelay(): Promise<{ p99Ms: number; maxMs: number }> {
    const leader = await this.leader();
    const text = await (await fetch(`${leader.http}/metrics`)).text();
    const read = (name: string): number => Math.round(Number(new RegExp(`^tessera_nodejs_eventloop_lag_${name}_seconds (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) * 1_000);
    return { p99Ms: read('p99'), maxMs: read('max') };
  }

  /** Resolves once the leader has `count` active agents; returns how long that took. */
  async waitForAgents(count: number, timeoutMs = 300_000): Promise<number> {
    const began = performance.now();
    await eventually(`${count} agents active`, async () => (await this.metrics().catch(() => ({} as Record<string, number>)))['master/slaves_active'] === count, timeoutMs, 500);
    return performance.now() - began;
  }

  /**
   * How many lines of a master's log (JSON lines) hold `text` so far: read on from where the last
   * call stopped, so that polling a log of 10,000 registrations stays cheap.
   */
  countInLog(master: string, text: string): number {
    const file = path.join(this.dir, `${master}.log`);
    const key = `${master}\n${text}`;
    const tail = this.tails.get(key) ?? { offset: 0, count: 0, partial: '' };
    const size = statSync(file).size;
    if (size > tail.offset) {
      const buffer = Buffer.alloc(size - tail.offset);
      const fd = openSync(file, 'r');
      try {
        readSync(fd, buffer, 0, buffer.length, tail.offset);
      } finally {
        closeSync(fd);
      }
      const lines = (tail.partial + buffer.toString('utf8')).split('\n');
      tail.partial = lines.pop()!;
      for (const line of lines) if (line.includes(text)) tail.count += 1;
      tail.offset = size;
    }
    this.tails.set(key, tail);
    return tail.count;
  }

  async stop(): Promise<void> {
    // SIGTERM: a master stops cleanly (and writes its CPU profile when asked for one).
    await this.sim?.kill('SIGTERM');
    await Promise.all([...this.masters.values()].map((m) => m.child.kill('SIGTERM')));
    this.leases?.stop();
    await this.kv?.close().catch(() => undefined);
    await this.nats.stop().catch(() => undefined);
    rmSync(this.sandboxes, { recursive: true, force: true });
    if (process.env.TESSERA_SCALE_KEEP === undefined) rmSync(this.dir, { recursive: true, force: true });
    else this.options.log?.(`kept logs in ${this.dir}`);
  }
}

function existsDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    return true;
  } catch {
    return false;
  }
}
