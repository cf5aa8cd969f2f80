import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { readJsonLines, socketAddress, TurnWriter } from './spawner-wire.js';
import type { LaunchSpec, TaskExit, TaskLauncher } from './task-launcher.js';

const SPAWNER_MAIN = fileURLToPath(new URL('./spawner-main.js', import.meta.url));
/** How long a spawner just started may take to listen on its socket. */
const LISTEN_TIMEOUT_MS = 10_000;
const CONNECT_RETRY_MS = 20;

type Id = number | string;
type Reply = { op: 'started'; id: Id } | { op: 'exit'; id: Id; code: number | null; signal: string | null } | { op: 'error'; id: Id; message: string };

/** How the spawner is started. */
export interface SpawnerOptions {
  /**
   * RLIMIT_NOFILE (soft and hard) of the spawner, which its tasks inherit: the agent's default,
   * so that tasks asking for it need no wrapper. Unset: the host's own.
   */
  nofile?: number;
  /**
   * A unix socket path, or `@name` in Linux's abstract namespace: the spawner is started
   * detached on it, outlives this process, and a launcher made later with the same name (a
   * restarted agent) reaches it and `adopt`s its tasks. Unset: a child over Node IPC.
   */
  socket?: string;
  /** Socket spawners: how long one with tasks waits for a launcher before killing them (default 15 min). */
  abandonMs?: number;
  /** Socket spawners: variables over this process's environment, for the spawner and its tasks. */
  env?: Record<string, string>;
}

interface Waiting {
  handle: number;
  onExit: (exit: TaskExit) => void;
  onStart: (() => void) | undefined;
}

/** One way to the spawner: IPC to a child, or a socket to a detached spawner. */
interface Channel {
  send(request: object): void;
  close(): void;
}

/**
 * A TaskLauncher that hands every fork to a small spawner process (see spawner-main.ts), so that
 * the launcher's own memory does not make each task start slower. `launch` returns a handle that
 * stands for the task's process group in `signalGroup`. If the spawner dies, every task it was
 * watching is reported as failed to launch or lost, and the next launch starts a new spawner.
 */
export class SpawnerLauncher implements TaskLauncher {
  private channel: Channel | undefined;
  private nextHandle = 1;
  private readonly waiting = new Map<Id, Waiting>();
  private readonly idOf = new Map<number, Id>();
  private spawnerOsPid: number | undefined;

  constructor(private readonly options: SpawnerOptions = {}) {
    const nofile = options.nofile;
    if (nofile !== undefined && !(Number.isSafeInteger(nofile) && nofile > 0)) throw new Error(`nofile must be a positive integer, got ${nofile}`);
  }

  launch(spec: LaunchSpec, onExit: (exit: TaskExit) => void, onStart?: () => void): number {
    const handle = this.nextHandle++;
    // Over a socket the id must stay unique across launchers: a restarted agent adopts by it.
    const id = this.options.socket === undefined ? handle : spec.key ?? randomUUID();
    this.watch(id, { handle, onExit, onStart });
    this.connection().send({
      op: 'spawn', id, file: spec.file, args: spec.args, cwd: spec.cwd, env: spec.env, stdout: spec.stdoutPath, stderr: spec.stderrPath,
      ...(spec.argv0 === undefined ? {} : { argv0: spec.argv0 }),
      ...(spec.fallback === undefined ? {} : { fallback: spec.fallback }),
      ...(spec.container === undefined ? {} : { container: spec.container }),
    });
    return handle;
  }

  /**
   * Watches a task a previous launcher started under `key` on the same socket spawner: `onExit`
   * comes when it ends (at once if it ended meanwhile), or with an error when the spawner does
   * not know it. Returns its handle for `signalGroup`.
   */
  adopt(key: string, onExit: (exit: TaskExit) => void): number {
    if (this.options.socket === undefined) throw new Error('only a socket spawner keeps tasks for another launcher');
    const handle = this.nextHandle++;
    this.watch(key, { handle, onExit, onStart: undefined });
    this.connection().send({ op: 'attach', id: key });
    return handle;
  }

  signalGroup(handle: number, signal: 'SIGTERM' | 'SIGKILL'): void {
    const id = this.idOf.get(handle);
    if (id !== undefined) this.channel?.send({ op: 'signal', id, signal });
  }

  /** The spawner's OS pid, when this launcher started it (the parent of every task it started). */
  get spawnerPid(): number | undefined {
    return this.spawnerOsPid;
  }

  /** Starts (or reaches) the spawner now, so that the first task does not wait for a Node start-up. */
  prepare(): void {
    this.connection();
  }

  /**
   * Socket spawners: no launcher will come back (the agent stopped for good): the spawner kills
   * any task left and exits. An IPC spawner just goes, as with `close`.
   */
  shutdown(): void {
    if (this.options.socket !== undefined) this.channel?.send({ op: 'shutdown' });
    this.close();
  }

  /** Lets the spawner go (the tasks it started keep running in their own groups). */
  close(): void {
    this.channel?.close();
    this.channel = undefined;
  }

  private watch(id: Id, waiting: Waiting): void {
    this.waiting.set(id, waiting);
    this.idOf.set(waiting.handle, id);
  }

  private onReply = (reply: Reply): void => {
    const waiting = this.waiting.get(reply.id);
    if (waiting === undefined) return;
    if (reply.op === 'started') {
      const onStart = waiting.onStart;
      waiting.onStart = undefined;
      onStart?.();
      return;
    }
    this.waiting.delete(reply.id);
    this.idOf.delete(waiting.handle);
    if (reply.op === 'exit' && this.options.socket !== undefined) this.channel?.send({ op: 'reaped', id: reply.id });
    waiting.onExit(reply.op === 'exit' ? { code: reply.code, signal: reply.signal } : { error: new Error(reply.message) });
  };

  private onLost = (channel: Channel, why: string): void => {
    if (this.channel !== channel) return;
    this.channel = undefined;
    const lost = [...this.waiting.values()];
    this.waiting.clear();
    this.idOf.clear();
    for (const { onExit } of lost) onExit({ error: new Error(`the task spawner exited (${why})`) });
  };

  private connection(): Channel {
    this.channel ??= this.options.socket === undefined ? this.forkChild() : this.connectSocket(this.options.socket);
    return this.channel;
  }

  private forkChild(): Channel {
    const [file, args] = this.command();
    const child = spawn(file, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.spawnerOsPid = child.pid;
    const channel: Channel = { send: (request) => child.send(request), close: () => child.disconnect() };
    child.on('message', this.onReply);
    child.on('exit', (code, signal) => this.onLost(channel, signal ?? `code ${code}`));
    return channel;
  }

  /** The spawner's command line: Node on spawner-main, or a shell that sets the nofile limit first. */
  private command(): [string, string[]] {
    const nofile = this.options.nofile;
    // The limit is set once here, by the one shell this spawner costs, and inherited by every task.
    if (nofile === undefined) return [process.execPath, [SPAWNER_MAIN]];
    return ['/bin/sh', ['-c', `ulimit -n ${nofile} && exec "$0" "$@"`, process.execPath, SPAWNER_MAIN]];
  }

  /** Connects to the spawner on `name`, starting one when none listens; sends wait until connected. */
  private connectSocket(name: string): Channel {
    let socket: net.Socket | undefined;
    let writer: TurnWriter | undefined;
    let queued: string[] = [];
    let closed = false;
    const channel: Channel = {
      send: (request) => {
        const line = `${JSON.stringify(request)}\n`;
        if (writer === undefined) queued.push(line);
        else writer.write(line);
      },
      close: () => {
        closed = true;
        writer?.flush();
        socket?.end();
      },
    };
    const startedAt = Date.now();
    let started = false;
    const attempt = (): void => {
      const candidate = net.connect(socketAddress(name));
      candidate.once('connect', () => {
        if (closed) return void candidate.end();
        socket = candidate;
        writer = new TurnWriter(candidate);
        candidate.write(queued.join(''));
        queued = [];
        this.readReplies(candidate, channel);
      });
      candidate.once('error', (err: NodeJS.ErrnoException) => {
        if (socket === candidate) return;
        candidate.destroy();
        if (closed) return;
        if (!started) {
          started = true;
          this.startDaemon(name);
        }
        if (Date.now() - startedAt > LISTEN_TIMEOUT_MS) return this.onLost(channel, `cannot reach it: ${err.code ?? err.message}`);
        setTimeout(attempt, CONNECT_RETRY_MS);
      });
    };
    attempt();
    return channel;
  }

  private readReplies(socket: net.Socket, channel: Channel): void {
    readJsonLines(socket, this.onReply);
    socket.on('error', () => undefined);
    socket.on('close', () => this.onLost(channel, 'its socket closed'));
  }

  /** A spawner of its own session, so that it outlives this process and any signal to its group. */
  private startDaemon(name: string): void {
    const env = {
      ...process.env,
      ...this.options.env,
      TESSERA_SPAWNER_SOCKET: name,
      ...(this.options.abandonMs === undefined ? {} : { TESSERA_SPAWNER_ABANDON_MS: String(this.options.abandonMs) }),
    };
    const [file, args] = this.command();
    const child = spawn(file, args, { detached: true, stdio: 'ignore', env });
    this.spawnerOsPid = child.pid;
    child.unref();
  }
}
