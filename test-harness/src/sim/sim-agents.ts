import { readFileSync } from 'node:fs';
import { Agent, InProcessHostLauncher, type AgentOptions } from '@tessera/agent';
import { ExecutorHost } from '@tessera/executor-driver';
import type { MasterDetector } from '@tessera/leader';
import { Random, Runtime, SystemClock, type Clock, type Logger } from '@tessera/process';
import { Resources } from '@tessera/protocol';
import { SimTaskLauncher } from './sim-task-launcher.js';
import { SimTransports, type SimNetwork } from './sim-network.js';

/** How a simulation's agents are built. */
export interface SimAgentsOptions {
  /** How many agents. */
  count: number;
  /** Each agent's resources, Mesos flag syntax (e.g. `cpus:8;mem:32768`). */
  resources: string;
  network: SimNetwork;
  /** Shared by every agent: sandboxes go under `<workDir>/agents/<agent id>/...`, as on one host. */
  workDir: string;
  /** Node names are `<prefix>-<i>`, i from 1 (default `sim`). */
  prefix?: string;
  /** How long a task runs when it does not say (default 5 s; see simDurationMs). */
  taskDurationMs?: number;
  /** The master's pid (default `master@master`), when no detector is given. */
  master?: string;
  /** Who leads the masters; every agent follows it. */
  detector?: MasterDetector;
  clock?: Clock;
  /** Seeds agent i's runtime with `seed + i` (default: from entropy). */
  seed?: number;
  logger?: Logger;
  /** Runtimes started at a time while starting up (default 200). */
  startBatch?: number;
  /** Any other agent option (registration back-off, timeouts). */
  agent?: Partial<Omit<AgentOptions, 'hostLauncher' | 'workDir' | 'resources'>>;
}

/** One simulated agent: a real Agent actor on a node of its own, its executors forking nothing. */
export interface SimAgent {
  readonly node: string;
  readonly runtime: Runtime;
  readonly agent: Agent;
  readonly launcher: SimTaskLauncher;
}

/** What a simulation has done so far. */
export interface SimStats {
  agents: number;
  registered: number;
  tasksLaunched: number;
  tasksRunning: number;
}

const silent: Logger = { log() {} };

/** The boot id, read once for every agent (the agent would read /proc once each). */
function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'sim';
  }
}

/**
 * N real Agent actors in this OS process, each on a node (runtime) of its own, so that the
 * master sees N agents on N nodes exactly as it would N machines; the nodes share a few NATS
 * connections. Each agent has its own in-process executor host whose command executors are the
 * real ones over a SimTaskLauncher: tasks report TASK_STARTING and TASK_RUNNING, then
 * TASK_FINISHED after their duration, without a fork. Checkpointing, isolation and rlimits are off.
 */
export class SimAgents {
  private stopping = false;

  private constructor(readonly agents: readonly SimAgent[], private readonly transports: SimTransports) {}

  /**
   * Starts every agent (they register with the master by themselves, after Mesos's random
   * back-off). @throws on a bad option or an unreachable NATS, having stopped what it started.
   */
  static async start(options: SimAgentsOptions): Promise<SimAgents> {
    if (!(Number.isSafeInteger(options.count) && options.count >= 1)) throw new Error(`the agent count must be a whole number >= 1, got ${options.count}`);
    Resources.parse(options.resources);
    const prefix = options.prefix ?? 'sim';
    const clock = options.clock ?? new SystemClock();
    const given = options.logger ?? silent;
    const seed = options.seed ?? Random.fromEntropy().seed;
    const durationMs = options.taskDurationMs ?? 5_000;
    const boot = bootId();
    const transports = await SimTransports.open(options.network, options.count);
    const agents: SimAgent[] = [];
    const sim = new SimAgents(agents, transports);
    // Once stopping, agents say nothing more: messages still arriving for stopped agents (a
    // framework's teardown fanned out to every agent) would print one warning per agent.
    const logger: Logger = { log: (...args) => { if (!sim.stopping) given.log(...args); } };
    const startOne = async (i: number): Promise<SimAgent> => {
      const node = `${prefix}-${i}`;
      const runtime = await Runtime.create({ transport: transports.transport(node), clock, logger, random: new Random(seed + i) });
      const launcher = new SimTaskLauncher(clock, durationMs);
      const hostLauncher = new InProcessHostLauncher(runtime, ({ onIdle }) => new ExecutorHost({ runtime, onIdle, launcher }));
      const agent = runtime.spawn(new Agent({
        hostname: node,
        bootId: boot,
        // No fork, so no limits to apply, and no disk to watch.
        rlimitNofile: 0,
        enforceMemoryRlimit: false,
        diskUsage: async () => 0,
        ...options.agent,
        ...(options.detector === undefined ? { master: options.master ?? options.agent?.master ?? 'master@master' } : { detector: options.detector }),
        workDir: options.workDir,
        resources: options.resources,
        hostLauncher,
      }));
      return { node, runtime, agent, launcher };
    };
    const batch = options.startBatch ?? 200;
    try {
      for (let first = 1; first <= options.count; first += batch) {
        const last = Math.min(options.count, first + batch - 1);
        const started = await Promise.allSettled(Array.from({ length: last - first + 1 }, (_, k) => startOne(first + k)));
        for (const outcome of started) if (outcome.status === 'fulfilled') agents.push(outcome.value);
        const failed = started.find((o): o is PromiseRejectedResult => o.status === 'rejected');
        if (failed !== undefined) throw failed.reason;
      }
    } catch (err) {
      await sim.stop();
      throw err;
    }
    return sim;
  }

  /** Connections to NATS the agents share (0 off NATS). */
  get connections(): number {
    return this.transports.connections;
  }

  /** How many agents the master has registered so far. */
  registered(): number {
    let n = 0;
    for (const a of this.agents) if (a.agent.id !== undefined) n += 1;
    return n;
  }

  stats(): SimStats {
    let launched = 0;
    let running = 0;
    for (const a of this.agents) {
      launched += a.launcher.launched;
      running += a.launcher.running;
    }
    return { agents: this.agents.length, registered: this.registered(), tasksLaunched: launched, tasksRunning: running };
  }

  /** Stops every agent at once (their simulated tasks with them), then the connections. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.agents.map((a) => a.runtime.stop().catch(() => undefined)));
    await this.transports.close();
  }
}
