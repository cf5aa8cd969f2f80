import { NatsTransport, Random, Runtime, type Logger } from '@tessera/process';
import { Resources } from '@tessera/protocol';
import { replayTrace, type ReplayOptions, type TraceJob, type TraceReport } from '@tessera/test-harness/sim';
import type { ScaleCluster } from './cluster.js';

/** Frameworks' warnings go to stderr; their chatter while stopping is muted. */
export function benchLogger(): Logger & { mute(): void } {
  let muted = false;
  return {
    mute() { muted = true; },
    log(level, message, fields) {
      if (!muted && (level === 'warn' || level === 'error')) process.stderr.write(`${JSON.stringify({ level, msg: message, ...fields })}\n`);
    },
  };
}

/** A node in the bench's own process for frameworks, on the cluster's NATS. */
export async function frameworkNode(cluster: ScaleCluster, name: string, logger: Logger): Promise<Runtime> {
  return Runtime.create({ transport: new NatsTransport({ node: name, servers: cluster.url.split(','), cluster: cluster.cluster }), logger, random: Random.fromEntropy() });
}

/** Every agent's resources together (the denominator of shares). */
export function clusterTotal(agents: number, resources: string): Resources {
  const one = Resources.parse(resources);
  const scalars: string[] = [];
  one.forEachScalar((name, milli) => scalars.push(`${name}:${(milli * agents) / 1000}`));
  return Resources.parse(scalars.join(';'));
}

/** `frameworks` frameworks of one role each, every one with an endless job of `resources` tasks. */
export function endlessJobs(frameworks: number, resources: string, durationMs: number, prefix: string): TraceJob[] {
  return Array.from({ length: frameworks }, (_, i) => ({
    at_ms: 0, framework: `${prefix}-${i + 1}`, role: `${prefix}-${i + 1}`, resources, duration_ms: durationMs, count: 100_000_000, id: `${prefix}${i + 1}`,
  }));
}

/** Replays `jobs` from a fresh node of the bench's process, following the elected master. */
export async function replayOn(cluster: ScaleCluster, node: string, options: Omit<ReplayOptions, 'runtime' | 'detector' | 'master'>): Promise<TraceReport> {
  const logger = benchLogger();
  const runtime = await frameworkNode(cluster, node, logger);
  try {
    return await replayTrace({ ...options, runtime, detector: await cluster.detector() });
  } finally {
    logger.mute();
    await runtime.stop();
  }
}
