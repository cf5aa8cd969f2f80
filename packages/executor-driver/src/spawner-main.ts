/**
 * The spawner: a small Node process that does nothing but start task processes and report their
 * ends. Forking costs in proportion to the parent's memory (about 0.5 ms from a fresh Node
 * process, 2-3 ms from a busy 300 MB one), so executors hand their forks to this process, which
 * stays small. Imports only Node's own modules (and task-launcher, which does too) for that reason.
 *
 * Tasks are born in their container: the spawner joins the container's cgroups around each fork
 * (cgroup-placement.ts) and wraps a command only for limits and namespaces it cannot inherit
 * (container-launch.ts). Its own RLIMIT_NOFILE is the agent's default (set once, when the spawner
 * is started), so the usual task needs no wrapper at all.
 *
 * Two ways to reach it:
 * - Node IPC, as the child of an executor host: it exits with its parent (tasks live on).
 * - A unix socket (TESSERA_SPAWNER_SOCKET), as an agent's own spawner: it outlives the agent, keeps
 *   the ends of tasks that exit meanwhile, and a restarted agent attaches to its tasks again. With
 *   no agent for TESSERA_SPAWNER_ABANDON_MS (the recovery timeout), it kills its tasks and exits;
 *   with no agent and no task left, it exits at once.
 *
 * Protocol (one JSON message each way per event; over the socket, one per line):
 *   in:  {op:'spawn', id, file, args, argv0?, fallback?, cwd, env (over the spawner's own), stdout, stderr, container?}
 *        | {op:'signal', id, signal} | {op:'attach', id} | {op:'reaped', id} | {op:'shutdown'}
 *   out: {op:'started', id} | {op:'exit', id, code, signal} | {op:'error', id, message}
 * Over the socket an exit is kept until the agent says it `reaped` it; `attach` answers with the
 * task's exit if it has ended, `started` if it runs, and an error if the spawner never knew it.
 * `shutdown` (an agent that stopped for good) kills what is left and ends the spawner.
 */
import { closeSync, openSync } from 'node:fs';
import net from 'node:net';
import type { ContainerLaunch } from '@tessera/protocol';
import type { CommandLine } from './command-line.js';
import { readJsonLines, socketAddress, TurnWriter } from './spawner-wire.js';
import { spawnCommand } from './task-launcher.js';

type Id = number | string;

interface SpawnRequest extends CommandLine {
  op: 'spawn';
  id: Id;
  cwd: string;
  env: Record<string, string>;
  stdout: string;
  stderr: string;
  container?: ContainerLaunch;
}
type Request = SpawnRequest
  | { op: 'signal'; id: Id; signal: 'SIGTERM' | 'SIGKILL' }
  | { op: 'attach'; id: Id }
  | { op: 'reaped'; id: Id }
  | { op: 'shutdown' };
type Reply = { op: 'started'; id: Id } | { op: 'exit'; id: Id; code: number | null; signal: string | null } | { op: 'error'; id: Id; message: string };

interface Task {
  pgid: number;
  exit?: Reply & { op: 'exit' };
}

const socketName = process.env.TESSERA_SPAWNER_SOCKET;
/** Over a socket, ends are kept until reaped: the agent may die before it hears one. */
const keepsExits = socketName !== undefined;
const tasks = new Map<Id, Task>();
let send: ((reply: Reply) => void) | undefined;

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
    child.once('error', (error) => send?.({ op: 'error', id: request.id, message: error.message }));
    if (child.pid === undefined) return;
    const task: Task = { pgid: child.pid };
    tasks.set(request.id, task);
    send?.({ op: 'started', id: request.id });
    child.once('exit', (code, signal) => {
      // What the leader left behind in its group dies with it, while the group id is still its own.
      signalGroup(task.pgid, 'SIGKILL');
      task.exit = { op: 'exit', id: request.id, code, signal };
      if (!keepsExits) tasks.delete(request.id);
      send?.(task.exit);
      exitIfDone();
    });
  } catch (err) {
    send?.({ op: 'error', id: request.id, message: (err as Error).message });
  } finally {
    if (stdout !== undefined) closeSync(stdout);
    if (stderr !== undefined) closeSync(stderr);
  }
}

function killAll(): void {
  for (const task of tasks.values()) if (task.exit === undefined) signalGroup(task.pgid, 'SIGKILL');
}

function onRequest(request: Request): void {
  if (request.op === 'spawn') return onSpawn(request);
  if (request.op === 'shutdown') {
    killAll();
    process.exit(0);
  }
  const task = tasks.get(request.id);
  if (request.op === 'signal') {
    if (task !== undefined && task.exit === undefined) signalGroup(task.pgid, request.signal);
  } else if (request.op === 'reaped') {
    if (task?.exit !== undefined) tasks.delete(request.id);
  } else if (task === undefined) {
    send?.({ op: 'error', id: request.id, message: 'the spawner has no such task (it ran under another spawner, or never started)' });
  } else {
    send?.(task.exit ?? { op: 'started', id: request.id });
  }
}

/** Socket mode: nobody attached and nothing left to tell anyone about. */
function exitIfDone(): void {
  if (keepsExits && send === undefined && tasks.size === 0) process.exit(0);
}

function serveIpc(): void {
  send = (reply) => process.send!(reply);
  process.on('message', onRequest);
  // The host is gone: its tasks are not ours to end (they outlive it by design); just go.
  process.on('disconnect', () => process.exit(0));
}

function serveSocket(name: string): void {
  const abandonMs = Number(process.env.TESSERA_SPAWNER_ABANDON_MS ?? 15 * 60_000);
  let abandon: NodeJS.Timeout | undefined;
  const abandoned = (): void => {
    killAll();
    process.exit(0);
  };
  const server = net.createServer((socket) => {
    // One agent at a time: a newer connection (a restarted agent) takes over.
    clearTimeout(abandon);
    const writer = new TurnWriter(socket);
    const write = (reply: Reply): void => writer.write(`${JSON.stringify(reply)}\n`);
    send = write;
    readJsonLines(socket, onRequest);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (send !== write) return;
      send = undefined;
      exitIfDone();
      abandon = setTimeout(abandoned, abandonMs);
    });
  });
  // Another spawner already serves this name (two agents raced to start one): leave it to that one.
  server.on('error', () => process.exit(0));
  server.listen(socketAddress(name));
  abandon = setTimeout(abandoned, abandonMs);
}

if (socketName === undefined) serveIpc();
else serveSocket(socketName);
