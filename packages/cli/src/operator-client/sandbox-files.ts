import type { AgentClient } from './master-client.js';

/** Bytes asked of `/files/read` at a time: large enough for few round trips, small enough to stream. */
export const CHUNK_BYTES = 64 * 1024;

/**
 * Writes a sandbox file from `from` to its current end, chunk by chunk, and returns the offset
 * reached, from which a follower continues.
 */
export async function copyFile(agent: AgentClient, path: string, write: (text: string) => void, from = 0): Promise<number> {
  let offset = from;
  for (;;) {
    const chunk = await agent.readFile(path, offset, CHUNK_BYTES);
    if (chunk.data.length === 0) return Math.max(offset, chunk.offset);
    write(chunk.data);
    offset = chunk.offset + Buffer.byteLength(chunk.data);
  }
}

/** The size of a sandbox file now (`/files/read` with offset -1). */
export async function fileSize(agent: AgentClient, path: string): Promise<number> {
  return (await agent.readFile(path, -1)).offset;
}

/**
 * The last `count` lines of `text`, or undefined when `text` may start mid-line and holds too few
 * lines to be sure (the caller reads further back). A final newline is kept, not counted as a line.
 */
export function lastLines(text: string, count: number, fromFileStart: boolean): string | undefined {
  if (count === 0 || text === '') return '';
  const endsWithNewline = text.endsWith('\n');
  const lines = (endsWithNewline ? text.slice(0, -1) : text).split('\n');
  if (lines.length <= count && !fromFileStart) return undefined;
  return lines.slice(-count).join('\n') + (endsWithNewline ? '\n' : '');
}

/** Writes the last `count` lines of a sandbox file, reading back from its end in growing windows; returns the end offset. */
export async function tailFile(agent: AgentClient, path: string, count: number, write: (text: string) => void): Promise<number> {
  const size = await fileSize(agent, path);
  for (let window = CHUNK_BYTES; ; window *= 4) {
    const start = Math.max(0, size - window);
    let text = '';
    const end = await copyFile(agent, path, (data) => { text += data; }, start);
    const lines = lastLines(text, count, start === 0);
    if (lines !== undefined) {
      write(lines);
      return end;
    }
  }
}

/** What following a file needs from outside: when to stop, and how to wait between polls. */
export interface FollowOptions {
  /** True once nothing more will be written (the task is terminal). */
  isDone: () => Promise<boolean>;
  /** Waits `ms` (a real timer in the CLI, an instant one in tests). */
  sleep: (ms: number) => Promise<void>;
  intervalMs?: number;
}

/**
 * Writes what is appended to a sandbox file from `from`, polling every `intervalMs` (500 ms) until
 * the task is done; then reads once more, so output written just before the end is not lost.
 */
export async function followFile(agent: AgentClient, path: string, from: number, write: (text: string) => void, options: FollowOptions): Promise<number> {
  let offset = from;
  for (;;) {
    offset = await copyFile(agent, path, write, offset);
    if (await options.isDone()) return copyFile(agent, path, write, offset);
    await options.sleep(options.intervalMs ?? 500);
  }
}
