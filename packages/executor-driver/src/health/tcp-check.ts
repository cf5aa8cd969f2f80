import net from 'node:net';
import type { CheckRun } from './check-run.js';

/** A TCP check: healthy when a connection to host:port opens; it is closed at once. */
export function tcpCheck(target: { host: string; port: number }): CheckRun {
  const where = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  return (signal) => new Promise((resolve) => {
    const socket = net.connect({ host: target.host, port: target.port });
    const abort = (): void => { socket.destroy(); };
    signal.addEventListener('abort', abort, { once: true });
    const done = (healthy: boolean, message: string): void => {
      signal.removeEventListener('abort', abort);
      socket.destroy();
      resolve({ healthy, message });
    };
    socket.once('connect', () => done(true, `TCP connection to ${where} opened`));
    socket.once('error', (err: NodeJS.ErrnoException) => done(false, `TCP connection to ${where} failed: ${err.code ?? err.message}`));
  });
}
