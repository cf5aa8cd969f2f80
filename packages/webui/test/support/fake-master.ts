/**
 * A scripted master and agent on one node:http server, for UI tests that need exact control of
 * what the page is told: the UI's static files from webuiRoot, a /state and /roles body the
 * test sets, a SUBSCRIBE stream the test writes events to, and an agent's /state and /files
 * over a real sandbox directory. The end-to-end test uses the real servers instead.
 */
import { mkdtempSync, readFileSync, statSync, readdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { webuiRoot } from '../../src/index.js';

const CONTENT_TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

export class FakeMaster {
  state: unknown = {};
  roles: unknown = { roles: [] };
  /** The SUBSCRIBED event each new stream starts with. */
  subscribed: unknown = { type: 'SUBSCRIBED', subscribed: { get_state: {} } };
  /** The agent's /state, which names the executors' directories. */
  agentState: unknown = {};
  readonly sandboxRoot = mkdtempSync(path.join(os.tmpdir(), 'webui-sandbox-'));
  readonly requests: string[] = [];
  private readonly streams = new Set<http.ServerResponse>();
  private readonly server = http.createServer((req, res) => this.handle(req, res));
  /** The agent answers on its own port, as a real one does (the page reads it cross-origin). */
  private readonly agentServer = http.createServer((req, res) => this.handleAgent(req, res));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => this.agentServer.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  get agentPort(): number {
    return (this.agentServer.address() as AddressInfo).port;
  }

  get subscribers(): number {
    return this.streams.size;
  }

  /** Sends one event to every open SUBSCRIBE stream, RecordIO framed. */
  emit(event: unknown): void {
    const json = Buffer.from(JSON.stringify(event));
    for (const res of this.streams) res.write(Buffer.concat([Buffer.from(`${json.length}\n`), json]));
  }

  async stop(): Promise<void> {
    for (const res of this.streams) res.end();
    for (const server of [this.server, this.agentServer]) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(`${req.method} ${url.pathname}`);
    if (req.method === 'POST' && url.pathname === '/api/v1') return this.subscribe(req, res);
    if (url.pathname === '/state') return json(res, this.state);
    if (url.pathname === '/roles') return json(res, this.roles);
    const file = path.join(webuiRoot, url.pathname === '/' ? 'index.html' : url.pathname);
    if (!file.startsWith(webuiRoot)) return json(res, { error: 'outside' }, 403);
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      json(res, { error: `no ${url.pathname}` }, 404);
    }
  }

  private handleAgent(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(`agent ${req.method} ${url.pathname}`);
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (url.pathname === '/state') return json(res, this.agentState);
    if (url.pathname === '/files/read') return this.read(url, res);
    if (url.pathname === '/files/browse') return this.browse(url, res);
    json(res, { error: `no ${url.pathname}` }, 404);
  }

  private subscribe(req: http.IncomingMessage, res: http.ServerResponse): void {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    req.on('end', () => {
      if ((JSON.parse(body) as { type?: string }).type !== 'SUBSCRIBE') return json(res, { error: 'only SUBSCRIBE here' }, 400);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      this.streams.add(res);
      res.on('close', () => this.streams.delete(res));
      this.emit(this.subscribed);
    });
  }

  private sandboxFile(url: URL): string {
    return path.join(this.sandboxRoot, url.searchParams.get('path') ?? '');
  }

  private read(url: URL, res: http.ServerResponse): void {
    const file = this.sandboxFile(url);
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch {
      return json(res, { error: 'no such file' }, 404);
    }
    const offset = Number(url.searchParams.get('offset') ?? '0');
    const length = Number(url.searchParams.get('length') ?? String(data.length));
    if (offset === -1) return json(res, { data: '', offset: data.length });
    json(res, { data: data.subarray(offset, offset + length).toString(), offset });
  }

  private browse(url: URL, res: http.ServerResponse): void {
    const dir = this.sandboxFile(url);
    const entries = readdirSync(dir).map((name) => {
      const st = statSync(path.join(dir, name));
      return { path: path.posix.join(url.searchParams.get('path') ?? '', name), size: st.size, mode: st.isDirectory() ? 'drwxr-xr-x' : '-rw-r--r--', mtime: st.mtimeMs / 1000, nlink: 1, uid: 'u', gid: 'g' };
    });
    json(res, entries);
  }
}

function json(res: http.ServerResponse, body: unknown, status = 200): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
