import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const PEER = fileURLToPath(new URL('./peer.js', import.meta.url));

/** Starts the benchmark peer in its own OS process and waits for its ready line. */
export async function startPeer(servers: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [PEER, '--servers', servers], { stdio: ['ignore', 'pipe', 'inherit'] });
  process.once('exit', () => child.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`benchmark peer exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', () => resolve());
  });
  return child;
}

/** Stops the peer and waits for it to be gone. */
export async function stopPeer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await gone;
}
