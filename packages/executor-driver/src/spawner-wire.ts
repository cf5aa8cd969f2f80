/** The spawner's socket wire: its address, and one JSON value a line. */
import type { Socket } from 'node:net';

/** Calls `fn` with each newline-terminated JSON value read from `socket` (the spawner's wire). */
export function readJsonLines<T>(socket: Socket, fn: (value: T) => void): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      if (line.length > 0) fn(JSON.parse(line) as T);
    }
  });
}

/** A spawner socket name as `listen`/`connect` take it: `@name` is Linux's abstract namespace. */
export function socketAddress(name: string): string {
  return name.startsWith('@') ? `\0${name.slice(1)}` : name;
}

/**
 * Writes lines to a socket once a turn: a turn's messages (the spawns of a batch of launches,
 * the exits of a batch of tasks) go in one write system call instead of one each.
 */
export class TurnWriter {
  private pending: string[] = [];

  constructor(private readonly socket: Socket) {}

  write(line: string): void {
    if (this.pending.push(line) === 1) setImmediate(() => this.flush());
  }

  /** Writes what is gathered now (before the socket is ended). */
  flush(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    if (!this.socket.destroyed) this.socket.write(text);
  }
}
