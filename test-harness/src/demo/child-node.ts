import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { withDeadline } from '../wait.js';

/** An echo node running in a child OS process. */
export interface ChildNode {
  /** The echo actor's pid, `echo@<node>`. */
  pid: string;
  child: ChildProcess;
  /** SIGKILL (or another signal); resolves when the OS process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const ECHO_NODE = fileURLToPath(new URL('./echo-node.js', import.meta.url));

/** Starts `echo-node.js` in a child process and waits (with a deadline) for its ready line. */
export function startEchoNode(options: { servers: string[]; node: string; heartbeatMs?: number; timeoutMs?: number }): Promise<ChildNode> {
  const args = [ECHO_NODE, '--servers', options.servers.join(','), '--node', options.node, '--heartbeat-ms', String(options.heartbeatMs ?? 1000)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  process.once('exit', () => child.kill('SIGKILL'));
  const ready = new Promise<ChildNode>((resolve, reject) => {
    const early = (code: number | null): void => reject(new Error(`echo node ${options.node} exited (${code}): ${stderr}`));
    child.once('exit', early);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      child.off('exit', early);
      resolve({ pid: (JSON.parse(line) as { ready: string }).ready, child, kill });
    });
  });
  return withDeadline(`echo node ${options.node} to be ready`, ready, options.timeoutMs ?? 10_000).catch(async (err: Error) => {
    await kill();
    throw new Error(`${err.message}: ${stderr}`);
  });
}
