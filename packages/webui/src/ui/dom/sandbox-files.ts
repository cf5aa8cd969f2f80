/**
 * Reading a task's sandbox from its agent (`http://<host>:<port>`, which allows any origin):
 * where the sandbox is, its listing, and a file tail that polls `/files/read` every second.
 */
import { TailBuffer, type ReadAnswer } from '../core/tail-buffer.js';
import type { AgentRecord, TaskRecord } from '../core/entities.js';
import { getJson } from './api.js';
import { h } from './html.js';

export interface FileEntry {
  path: string;
  size: number;
  mode: string;
  mtime: number;
}

export function agentUrl(agent: AgentRecord): string {
  return `http://${agent.hostname}:${agent.port ?? 5051}`;
}

type Json = Record<string, unknown>;
const list = (v: unknown): Json[] => (Array.isArray(v) ? v as Json[] : []);

/**
 * The executor run directory holding the task, from the agent's /state; the agent's virtual
 * `/frameworks/<fw>/executors/<executor>/runs/latest` when the state does not name it.
 */
export async function sandboxDirectory(base: string, task: TaskRecord, signal: AbortSignal): Promise<string> {
  const fallback = `/frameworks/${task.frameworkId}/executors/${task.executorId}/runs/latest`;
  const state = await getJson(`${base}/state`, signal).catch(() => undefined) as Json | undefined;
  if (state === undefined) return fallback;
  for (const framework of [...list(state['frameworks']), ...list(state['completed_frameworks'])]) {
    if (framework['id'] !== task.frameworkId) continue;
    for (const executor of [...list(framework['executors']), ...list(framework['completed_executors'])]) {
      const tasks = [...list(executor['tasks']), ...list(executor['completed_tasks']), ...list(executor['queued_tasks'])];
      const holds = executor['id'] === task.executorId || tasks.some((t) => t['id'] === task.id);
      if (holds && typeof executor['directory'] === 'string') return executor['directory'];
    }
  }
  return fallback;
}

export async function browse(base: string, path: string, signal: AbortSignal): Promise<FileEntry[]> {
  const entries = await getJson(`${base}/files/browse?path=${encodeURIComponent(path)}`, signal);
  return Array.isArray(entries) ? entries as FileEntry[] : [];
}

/** Largest read per request; a longer file is read in several. */
const READ_LENGTH = 64 * 1024;
const POLL_MS = 1000;

/** A `<pre>` showing the end of one file, polled every second until `stop()`. */
export class FileTail {
  readonly root: HTMLElement;
  private readonly pre: HTMLPreElement;
  private readonly note: HTMLElement;
  private readonly buffer = new TailBuffer();
  private timer: number | undefined;
  private readonly controller = new AbortController();

  constructor(private readonly base: string, private readonly path: string, label: string) {
    this.pre = h('pre', { class: 'tail', 'data-file': label });
    this.note = h('span', { class: 'note' });
    this.root = h('div', { class: 'tail-pane' }, h('h3', {}, label, ' ', this.note), this.pre);
    void this.poll();
  }

  stop(): void {
    if (this.timer !== undefined) window.clearTimeout(this.timer);
    this.timer = undefined;
    this.controller.abort();
  }

  private async poll(): Promise<void> {
    try {
      if (this.buffer.offset === undefined) this.buffer.start((await this.read(-1)).offset);
      for (let i = 0; i < 16; i++) {
        const answer = await this.read(this.buffer.offset ?? 0);
        const atBottom = this.pre.scrollTop + this.pre.clientHeight >= this.pre.scrollHeight - 4;
        if (this.buffer.append(answer)) {
          this.pre.textContent = this.buffer.text;
          if (atBottom) this.pre.scrollTop = this.pre.scrollHeight;
        }
        if (answer.data.length < READ_LENGTH) break;
      }
      this.note.textContent = '';
    } catch (err) {
      if (this.controller.signal.aborted) return;
      this.note.textContent = `(${(err as Error).message})`;
    }
    if (!this.controller.signal.aborted) this.timer = window.setTimeout(() => void this.poll(), POLL_MS);
  }

  private async read(offset: number): Promise<ReadAnswer> {
    const url = `${this.base}/files/read?path=${encodeURIComponent(this.path)}&offset=${offset}&length=${READ_LENGTH}`;
    const answer = await getJson(url, this.controller.signal) as Partial<ReadAnswer>;
    return { data: typeof answer.data === 'string' ? answer.data : '', offset: typeof answer.offset === 'number' ? answer.offset : offset };
  }
}
