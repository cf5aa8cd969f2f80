import { fork, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LaunchSpec, TaskExit, TaskLauncher } from './task-launcher.js';

const SPAWNER_MAIN = fileURLToPath(new URL('./spawner-main.js', import.meta.url));

type Reply = { op: 'started'; id: number } | { op: 'exit'; id: number; code: number | null; signal: string | null } | { op: 'error'; id: number; message: string };

/** How the spawner is started. */
export interface SpawnerOptions {
  /**
   * RLIMIT_NOFILE (soft and hard) of the spawner, which its tasks inherit: the agent's default,
   * so that tasks asking for it need no wrapper. Unset: the host's own.
   */
  nofile?: number;
}

/**
 * A TaskLauncher that hands every fork to a small spawner child (see spawner-main.ts), so that the
 * host's own memory does not make each task start slower. `launch` returns a handle that stands
 * for the task's process group in `signalGroup`. If the spawner dies, every task it was watching
 * is reported as failed to launch or lost, and the next launch starts a new spawner.
 */
export class SpawnerLauncher implements TaskLauncher {
  constructor(private readonly options: SpawnerOptions = {}) {
    const nofile = options.nofile;
    if (nofile !== undefined && !(Number.isSafeInteger(nofile) && nofile > 0)) throw new Error(`nofile must be a positive integer, got ${nofile}`);
  }

  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, (exit: TaskExit) => void>();
  private readonly starting = new Map<number, () => void>();

  launch(spec: LaunchSpec, onExit: (exit: TaskExit) => void, onStart?: () => void): number {
    const id = this.nextId++;
    this.waiting.set(id, onExit);
    if (onStart !== undefined) this.starting.set(id, onStart);
    this.spawner().send({
      op: 'spawn', id, file: spec.file, args: spec.args, cwd: spec.cwd, env: spec.env, stdout: spec.stdoutPath, stderr: spec.stderrPath,
      ...(spec.argv0 === undefined ? {} : { argv0: spec.argv0 }),
      ...(spec.fallback === undefined ? {} : { fallback: spec.fallback }),
      ...(spec.container === undefined ? {} : { container: spec.container }),
    });
    return id;
  }

  signalGroup(handle: number, signal: 'SIGTERM' | 'SIGKILL'): void {
    if (this.waiting.has(handle)) this.child?.send({ op: 'signal', id: handle, signal });
  }

  /** The spawner's OS pid while it runs (the parent of every task it started). */
  get spawnerPid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the spawner now, so that the first task does not wait for a Node start-up. */
  prepare(): void {
    this.spawner();
  }

  /** Stops the spawner (the tasks it started keep running in their own groups). */
  close(): void {
    this.child?.disconnect();
    this.child = undefined;
  }

  private spawner(): ChildProcess {
    if (this.child !== undefined) return this.child;
    const nofile = this.options.nofile;
    // The limit is set once here, by the one shell this spawner costs, and inherited by every task.
    const child = nofile === undefined
      ? fork(SPAWNER_MAIN, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] })
      : spawn('/bin/sh', ['-c', `ulimit -n ${nofile} && exec "$0" "$@"`, process.execPath, SPAWNER_MAIN], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('message', (reply: Reply) => {
      const onStart = this.starting.get(reply.id);
      this.starting.delete(reply.id);
      if (reply.op === 'started') return onStart?.();
      const onExit = this.waiting.get(reply.id);
      if (onExit === undefined) return;
      this.waiting.delete(reply.id);
      onExit(reply.op === 'exit' ? { code: reply.code, signal: reply.signal } : { error: new Error(reply.message) });
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      const lost = [...this.waiting.values()];
      this.waiting.clear();
      this.starting.clear();
      for (const onExit of lost) onExit({ error: new Error(`the task spawner exited (${signal ?? `code ${code}`})`) });
    });
    this.child = child;
    return child;
  }
}
