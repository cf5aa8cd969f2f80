/**
 * The spawner: a small Node process, a child of an executor host, that does nothing but start
 * task processes and report their ends. Forking costs in proportion to the parent's memory
 * (about 0.5 ms from a fresh Node process, 2-3 ms from a busy 300 MB one), so the host hands its
 * forks to this process, which stays small. Imports only Node's own modules (and task-launcher,
 * which does too) for that reason.
 *
 * Tasks are born in their container: the spawner joins the container's cgroups around each fork
 * (cgroup-placement.ts) and wraps a command only for limits and namespaces it cannot inherit
 * (container-launch.ts). Its own RLIMIT_NOFILE is the agent's default (set once, when the spawner
 * is started), so the usual task needs no wrapper at all.
 *
 * Protocol (Node IPC, one JSON message each way per event):
 *   in:  {op:'spawn', id, file, args, argv0?, fallback?, cwd, env (over the spawner's own), stdout, stderr, container?}
 *        | {op:'signal', id, signal}
 *   out: {op:'started', id} | {op:'exit', id, code, signal} | {op:'error', id, message}
 */
import { closeSync, openSync } from 'node:fs';
import type { ContainerLaunch } from '@tessera/protocol';
import type { CommandLine } from './command-line.js';
import { spawnCommand } from './task-launcher.js';

interface SpawnRequest extends CommandLine {
  op: 'spawn';
  id: number;
  cwd: string;
  env: Record<string, string>;
  stdout: string;
  stderr: string;
  container?: ContainerLaunch;
}
interface SignalRequest {
  op: 'signal';
  id: number;
  signal: 'SIGTERM' | 'SIGKILL';
}

const groups = new Map<number, number>();

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone already
  }
}

function onSpawn(request: SpawnRequest): void {
  let stdout: number | undefined;
  let stderr: number | undefined;
  try {
    stdout = openSync(request.stdout, 'a');
    stderr = openSync(request.stderr, 'a');
    const child = spawnCommand(request, ['ignore', stdout, stderr]);
    child.once('error', (error) => process.send!({ op: 'error', id: request.id, message: error.message }));
    if (child.pid === undefined) return;
    const pgid = child.pid;
    groups.set(request.id, pgid);
    process.send!({ op: 'started', id: request.id });
    child.once('exit', (code, signal) => {
      // What the leader left behind in its group dies with it, while the group id is still its own.
      signalGroup(pgid, 'SIGKILL');
      groups.delete(request.id);
      process.send!({ op: 'exit', id: request.id, code, signal });
    });
  } catch (err) {
    process.send!({ op: 'error', id: request.id, message: (err as Error).message });
  } finally {
    if (stdout !== undefined) closeSync(stdout);
    if (stderr !== undefined) closeSync(stderr);
  }
}

process.on('message', (request: SpawnRequest | SignalRequest) => {
  if (request.op === 'spawn') return onSpawn(request);
  const pgid = groups.get(request.id);
  if (pgid !== undefined) signalGroup(pgid, request.signal);
});
// The host is gone: its tasks are not ours to end (they outlive it by design); just go.
process.on('disconnect', () => process.exit(0));
