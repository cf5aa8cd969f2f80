import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { CommandUri, TaskInfo } from '@tessera/protocol';
import type { ExecutorRun, FetchRequest } from '../src/index.js';

/**
 * A local HTTP server for the fetcher's tests: serves files by path, counts requests per path,
 * answers /redirect/<path> with a 302 to <path>, /stall by sending headers and never a body,
 * and 404 for anything else.
 */
export class FileServer {
  readonly requests = new Map<string, number>();
  private readonly files = new Map<string, Buffer>();
  private server: Server | undefined;
  private readonly stalled: (() => void)[] = [];

  serve(urlPath: string, content: Buffer | string): void {
    this.files.set(urlPath, Buffer.from(content));
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const url = request.url ?? '/';
      this.requests.set(url, (this.requests.get(url) ?? 0) + 1);
      if (url.startsWith('/redirect/')) {
        response.writeHead(302, { location: url.slice('/redirect'.length) }).end();
        return;
      }
      if (url === '/stall') {
        response.writeHead(200, { 'content-length': '1000' });
        response.write('x');
        this.stalled.push(() => response.destroy());
        return;
      }
      const file = this.files.get(url);
      if (file === undefined) {
        response.writeHead(404).end('no such file');
        return;
      }
      response.writeHead(200, { 'content-length': String(file.length) }).end(file);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  count(urlPath: string): number {
    return this.requests.get(urlPath) ?? 0;
  }

  async stop(): Promise<void> {
    for (const end of this.stalled.splice(0)) end();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
  }
}

/**
 * Builds archives of `files` (name → content) with the real tar and zip programs:
 * `<dir>/<base>.tar.gz`, `.tar.bz2`, `.tar.xz`, `.zip`.
 */
export function makeArchives(dir: string, base: string, files: Record<string, string>): void {
  const content = path.join(dir, `${base}-content`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(content, name)), { recursive: true });
    writeFileSync(path.join(content, name), text);
  }
  const names = Object.keys(files);
  execFileSync('tar', ['-czf', path.join(dir, `${base}.tar.gz`), '-C', content, ...names]);
  execFileSync('tar', ['-cjf', path.join(dir, `${base}.tar.bz2`), '-C', content, ...names]);
  execFileSync('tar', ['-cJf', path.join(dir, `${base}.tar.xz`), '-C', content, ...names]);
  execFileSync('zip', ['-q', path.join(dir, `${base}.zip`), ...names], { cwd: content });
}

/** A fetch request for a command task with `uris`, into `directory`. */
export function fetchRequest(directory: string, uris: CommandUri[], agentId = 'S0'): FetchRequest {
  const task: TaskInfo = { name: 't', task_id: { value: 't' }, agent_id: { value: agentId }, resources: [], command: { value: 'true', uris } };
  const run: ExecutorRun = {
    frameworkId: 'F1', executorId: 't', info: { executor_id: { value: 't' }, command: task.command! }, kind: 'command', runId: 'run-1',
    directory, phase: 'launching', pid: undefined, queue: [], taskIds: new Set(['t']),
  };
  return { run, launch: { kind: 'task', task }, agentId };
}
