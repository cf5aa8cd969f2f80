import { createHash } from 'node:crypto';
import { InvalidArgumentError } from 'commander';
import path from 'node:path';
import type { Runtime } from '@tessera/process';
import { InProcessHostLauncher, OsProcessHostLauncher, checkpointPaths, type ExecutorHostLauncher } from '@tessera/agent';
import { EXECUTOR_HOST_MAIN, ExecutorHost, SpawnerLauncher, TESSERA_NATS_URL, TESSERA_SPAWNER_NOFILE } from '@tessera/executor-driver';

/**
 * Where an agent on NATS runs its command executors:
 * - `resident` (default): as actors in the agent's own process, their tasks forked by a spawner
 *   that outlives the agent; a restarted agent revives the executors on the tasks the spawner kept.
 *   No hop over NATS between agent and executor: a command task costs the agent a fork request.
 * - `host-process`: in a separate executor host process, over NATS, that outlives the agent.
 */
export type ExecutorPlacement = 'resident' | 'host-process';
export const EXECUTOR_PLACEMENTS: readonly ExecutorPlacement[] = ['resident', 'host-process'];

/** `--executors`' parser. */
export function executorPlacement(value: string): ExecutorPlacement {
  if (!(EXECUTOR_PLACEMENTS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${EXECUTOR_PLACEMENTS.join(', ')}`);
  return value as ExecutorPlacement;
}

export interface PlacementSettings {
  runtime: Runtime;
  placement: ExecutorPlacement;
  /** undefined: the in-memory network (`tessera local` without NATS). */
  nats: { url: string; cluster: string } | undefined;
  workDir: string;
  node: string;
  checkpointDir: string | undefined;
  /** The tasks' RLIMIT_NOFILE, set once on the spawner (0: the agent's own). */
  nofile: number;
  /** How long a spawner keeps tasks for an agent that does not come back. */
  recoveryTimeoutMs: number;
}

/** The agent's host launcher, and what to close once the agent has stopped (and shut its executors down). */
export function executorHostLauncher(settings: PlacementSettings): { launcher: ExecutorHostLauncher; close: () => void } {
  const { runtime, nats } = settings;
  if (nats === undefined) {
    return { launcher: new InProcessHostLauncher(runtime, ({ onIdle }) => new ExecutorHost({ runtime, onIdle })), close: () => undefined };
  }
  if (settings.placement === 'resident') {
    const spawner = new SpawnerLauncher({
      socket: spawnerSocket(settings.workDir, settings.node),
      abandonMs: settings.recoveryTimeoutMs,
      // As an executor host's: the spawner and its tasks name their cluster's NATS, as hosts did.
      env: { [TESSERA_NATS_URL]: nats.url },
      ...(settings.nofile > 0 ? { nofile: settings.nofile } : {}),
    });
    spawner.prepare();
    const launcher = new InProcessHostLauncher(runtime, ({ onIdle }) => new ExecutorHost({ runtime, onIdle, launcher: spawner }));
    return { launcher, close: () => spawner.shutdown() };
  }
  const launcher = new OsProcessHostLauncher({
    runtime, entry: EXECUTOR_HOST_MAIN, nats, shared: true,
    // The host's task spawner starts with the agent's nofile, so tasks inherit it with no wrapper.
    ...(settings.nofile > 0 ? { env: { ...process.env, [TESSERA_SPAWNER_NOFILE]: String(settings.nofile) } } : {}),
    ...(settings.checkpointDir === undefined ? {} : { stateFile: checkpointPaths.executorHost(settings.checkpointDir) }),
  });
  return { launcher, close: () => undefined };
}

/**
 * The agent's spawner socket, in Linux's abstract namespace (no file to clean up, no 108-byte
 * path limit): one per work dir and node, so a restarted agent finds its predecessor's.
 */
export function spawnerSocket(workDir: string, node: string): string {
  const digest = createHash('sha256').update(`${path.resolve(workDir)}\n${node}`).digest('hex').slice(0, 32);
  return `@tessera-spawner-${digest}`;
}
