/**
 * A real `tessera local` (its own nats-server, a master with its HTTP server, agents) as a child
 * process, the way an operator starts one, and `tessera execute` against it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TESSERA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../cli/bin/tessera.js');

export interface LocalCluster {
  /** The master's web UI, as `tessera local` printed it. */
  uiUrl: string;
  /** Arguments `tessera execute` needs to reach this cluster. */
  executeArgs: string[];
  stop(): Promise<void>;
}

/** Starts `tessera local --http-port 0` and reads the UI URL and the NATS address from what it prints. */
export async function startLocalCluster(args: string[], timeoutMs = 20_000): Promise<LocalCluster> {
  const child = spawn(process.execPath, [TESSERA, 'local', '--http-port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const printed = await new Promise<{ uiUrl: string; executeArgs: string[] }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tessera local printed no UI URL and NATS address within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`tessera local exited (${code}) before it was ready:\n${output}`)); });
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ui = /(http:\/\/[^\s]+)/.exec(output);
      const nats = /--master (\S+) --cluster (\S+)/.exec(output);
      if (ui?.[1] !== undefined && nats?.[1] !== undefined && nats[2] !== undefined) {
        clearTimeout(timer);
        resolve({ uiUrl: ui[1].endsWith('/') ? ui[1] : `${ui[1]}/`, executeArgs: ['--master', nats[1], '--cluster', nats[2]] });
      }
    });
  });
  child.removeAllListeners('exit');
  return { ...printed, stop: () => stopChild(child) };
}

/** `tessera execute ...`, resolving with its exit code and output. */
export function runExecute(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [TESSERA, 'execute', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

/** SIGTERM (tessera local stops its agents, master and nats-server), SIGKILL if it lingers. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
