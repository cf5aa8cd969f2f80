import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { connectKv, findLeaseDetector, type MasterDetector } from '@tessera/leader';
import { Random, stderrLogger, type LogLevel, type Logger } from '@tessera/process';
import { Resources } from '@tessera/protocol';
import { pollUntil } from '@tessera/test-harness';
import { SIM_HEARTBEAT_MS, SimAgents, TraceError, generateTrace, parseTrace, replayTrace, type TraceJob, type TraceReport } from '@tessera/test-harness/sim';
import { natsUrl, positiveInt, resourceSpec, token } from '../flags.js';
import { startRuntime } from '../services.js';
import { serveUntilSignalled } from './serve.js';

interface SimOptions {
  agents: number;
  resources: string;
  nats: string;
  cluster: string;
  connections?: number;
  heartbeatMs?: number;
  workDir?: string;
  prefix: string;
  taskDuration: number;
  registrationBackoff: number;
  master?: string;
  trace?: string;
  generate?: number;
  frameworks: number;
  span: number;
  seed: number;
  window?: number;
  timeLimit?: number;
  report?: string;
  logLevel: LogLevel;
}

/** How often the agents-only mode says how far it has got. */
const STATUS_EVERY_MS = 5_000;

/** A non-negative whole number of ms (0 allowed: tasks that end at once, arrivals all at once). */
function wholeMs(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`'${value}' is not a whole number of ms`);
  return n;
}

/**
 * `tessera sim`: N simulated agents in this process (real agent actors whose tasks fork nothing,
 * each on a node of its own over a few shared NATS connections) against a running master. With
 * `--trace FILE` or `--generate JOBS` it also replays that workload through frameworks of its own
 * once every agent has registered, prints placement latency, throughput and fairness, and exits.
 */
export function simCommand(): Command {
  return new Command('sim')
    .description('run N simulated agents (real agent actors, tasks that fork nothing) against a master; optionally replay a workload')
    .requiredOption('--agents <n>', 'number of simulated agents', positiveInt)
    .requiredOption('--nats <url>', 'NATS server URL(s), comma separated', natsUrl)
    .option('--resources <spec>', 'resources of each agent, Mesos flag syntax', resourceSpec, 'cpus:8;mem:32768')
    .option('--cluster <name>', 'Tessera cluster name (NATS subject namespace)', token, 'tessera')
    .option('--connections <k>', 'NATS connections the agents share (default: one per 2,500 agents)', positiveInt)
    .option('--heartbeat-ms <ms>', `how often each simulated node says it is alive; watchers allow three of these (default ${SIM_HEARTBEAT_MS}: one process pausing pauses every agent)`, positiveInt)
    .option('--work-dir <dir>', 'where sandboxes go (default: a new temp dir, removed at exit)')
    .option('--prefix <name>', 'agent node names are <prefix>-<i>', token, 'sim')
    .option('--task-duration <ms>', 'how long a task runs unless it says (TESSERA_SIM_DURATION_MS, or a command ending in `sleep N`)', wholeMs, 5_000)
    .option('--registration-backoff <ms>', 'agents register after a random delay up to this (Mesos\'s --registration_backoff_factor); more spreads a large start', positiveInt, 1_000)
    .option('--master <pid>', 'the master\'s process id (default: the elected leader, else master@master)')
    .option('--trace <file>', 'replay this JSON-lines workload once every agent has registered, then exit')
    .option('--generate <jobs>', 'replay a generated workload of this many jobs instead (see --frameworks, --span, --seed)', positiveInt)
    .option('--frameworks <n>', 'frameworks of a generated workload', positiveInt, 10)
    .option('--span <ms>', 'arrivals of a generated workload spread over this long', wholeMs, 60_000)
    .option('--seed <n>', 'seed of a generated workload', wholeMs, 1)
    .option('--window <n>', 'tasks each framework may have launched and not yet running (default: no limit)', positiveInt)
    .option('--time-limit <ms>', 'end a replay this long after it starts even if tasks remain', positiveInt)
    .option('--report <file>', 'write the whole replay report (with its per-second buckets) to this JSON file')
    .option('--log-level <level>', 'debug, info, warn or error', 'warn')
    .action(async (opts: SimOptions) => {
      if (opts.trace !== undefined && opts.generate !== undefined) throw new Error('give --trace or --generate, not both');
      const jobs = workload(opts);
      const logger = stderrLogger(opts.logLevel);
      const ownWorkDir = opts.workDir === undefined;
      const workDir = opts.workDir ?? mkdtempSync(path.join(os.tmpdir(), 'tessera-sim-'));
      const kv = opts.master === undefined ? await connectKv(opts.nats).catch((err: Error) => { throw new Error(`cannot connect to NATS at ${opts.nats}: ${err.message}`); }) : undefined;
      const detector = kv === undefined ? undefined : await findLeaseDetector(kv, opts.cluster, logger);
      const leader = { ...(detector === undefined ? { master: opts.master ?? 'master@master' } : { detector }) };
      const began = performance.now();
      const sim = await SimAgents.start({
        count: opts.agents, resources: opts.resources, workDir, prefix: opts.prefix, taskDurationMs: opts.taskDuration, logger, ...leader,
        agent: { registrationBackoffFactorMs: opts.registrationBackoff },
        network: {
          nats: opts.nats, cluster: opts.cluster,
          ...(opts.connections === undefined ? {} : { connections: opts.connections }),
          ...(opts.heartbeatMs === undefined ? {} : { heartbeatMs: opts.heartbeatMs }),
        },
      });
      const say = (line: string) => process.stdout.write(`${line}\n`);
      say(`tessera sim: ${opts.agents} agents (${opts.resources}) on ${sim.connections} NATS connection(s), started in ${Math.round(performance.now() - began)} ms; sandboxes under ${workDir}`);
      const stopAll = async () => {
        await sim.stop();
        detector?.stop();
        await kv?.close();
        if (ownWorkDir) rmSync(workDir, { recursive: true, force: true });
      };
      if (jobs === undefined) {
        // The loop's delay tells when the simulation itself is the bottleneck (its nodes' heartbeats go late).
        const lag = monitorEventLoopDelay({ resolution: 10 });
        lag.enable();
        const status = setInterval(() => {
          const s = sim.stats();
          say(`agents ${s.registered}/${s.agents} registered; tasks launched ${s.tasksLaunched}, running ${s.tasksRunning}; event loop delay p99 ${Math.round(lag.percentile(99) / 1e6)} ms, max ${Math.round(lag.max / 1e6)} ms`);
          lag.reset();
        }, STATUS_EVERY_MS);
        status.unref();
        return serveUntilSignalled(logger, stopAll);
      }
      await waitForRegistration(sim, say);
      const report = await replay(opts, jobs, sim, leader, logger, say);
      printReport(report, say);
      if (opts.report !== undefined) writeFileSync(opts.report, `${JSON.stringify(report, null, 1)}\n`);
      await stopAll();
      process.exit(report.tasks.launched === report.tasks.finished ? 0 : 1);
    });
}

/** The jobs to replay, or undefined for agents only. @throws on an unreadable or bad trace. */
function workload(opts: SimOptions): TraceJob[] | undefined {
  if (opts.generate !== undefined) return generateTrace({ jobs: opts.generate, frameworks: opts.frameworks, spanMs: opts.span, seed: opts.seed });
  if (opts.trace === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(opts.trace, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the trace ${opts.trace}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return parseTrace(text);
  } catch (err) {
    if (err instanceof TraceError) throw new Error(`${opts.trace}: ${err.message}`);
    throw err;
  }
}

/** How long registration may take: a minute, or 10 ms an agent for large simulations. */
const registrationTimeoutMs = (agents: number): number => Math.max(60_000, 10 * agents);

async function waitForRegistration(sim: SimAgents, say: (line: string) => void): Promise<void> {
  const began = performance.now();
  const timeoutMs = registrationTimeoutMs(sim.agents.length);
  await pollUntil('every simulated agent to register', async () => {
    const registered = sim.registered();
    return registered === sim.agents.length ? { ready: true, value: undefined } : { ready: false, why: `${registered} of ${sim.agents.length} registered` };
  }, { timeoutMs, intervalMs: 100 });
  say(`every agent registered in ${Math.round(performance.now() - began)} ms`);
}

async function replay(opts: SimOptions, jobs: TraceJob[], sim: SimAgents, leader: { master: string } | { detector: MasterDetector },
  logger: Logger, say: (line: string) => void): Promise<TraceReport> {
  // Muted once the replay is over: the master's last events for the stopped drivers are no news.
  let over = false;
  const quiet: Logger = { log: (...args) => { if (!over) logger.log(...args); } };
  const runtime = await startRuntime({ nats: opts.nats, cluster: opts.cluster }, `${opts.prefix}-frameworks-${Random.fromEntropy().token(6)}`, quiet);
  const one = Resources.parse(opts.resources);
  let cluster = Resources.EMPTY;
  for (let i = 0; i < sim.agents.length; i += 1) cluster = cluster.add(one);
  const tasks = jobs.reduce((sum, job) => sum + (job.count ?? 1), 0);
  say(`replaying ${jobs.length} jobs (${tasks} tasks) of ${new Set(jobs.map((j) => j.framework)).size} frameworks`);
  try {
    return await replayTrace({
      jobs, runtime, cluster, ...leader,
      ...(opts.window === undefined ? {} : { window: opts.window }),
      ...(opts.timeLimit === undefined ? {} : { timeLimitMs: opts.timeLimit }),
      onBucket: (p) => { if (Number.isInteger(p.t_s / 5)) say(`t=${p.t_s}s launched ${p.launched}, running ${p.running}, finished ${p.finished}, failed ${p.failed}, waiting ${p.pending}`); },
    });
  } finally {
    over = true;
    await runtime.stop();
  }
}

function printReport(report: TraceReport, say: (line: string) => void): void {
  const { tasks, placement, launch } = report;
  say(`tasks: ${tasks.launched} launched, ${tasks.running} reached TASK_RUNNING, ${tasks.finished} finished, ${tasks.failed} ended otherwise, in ${(report.elapsedMs / 1000).toFixed(1)} s`);
  say(`throughput: ${report.runningPerS} TASK_RUNNING/s from the first to the last`);
  say(`placement latency (arrival to TASK_RUNNING): p50 ${placement.p50} ms, p99 ${placement.p99} ms, max ${placement.max} ms`);
  say(`launch latency (ACCEPT to TASK_RUNNING): p50 ${launch.p50} ms, p99 ${launch.p99} ms, max ${launch.max} ms`);
  say(`mean dominant share by role: ${Object.entries(report.meanShares).map(([role, share]) => `${role} ${share}`).join(', ')}`);
  const { buckets: _buckets, ...summary } = report;
  say(JSON.stringify({ sim: 'trace', ...summary }));
}
