import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/** Polls `condition` every 20 ms until it holds, failing with `what` after `deadlineMs`. */
export async function until(what: string, condition: () => boolean | Promise<boolean>, deadlineMs = 10_000): Promise<void> {
  const give = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > give) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const accepts = (port: number): Promise<boolean> => new Promise((resolve) => {
  const socket = net.connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
  socket.on('error', () => resolve(false));
});

/** A nats-server on a free loopback port, in its own process group so that `stop()` leaves nothing behind. */
export interface NatsServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts /usr/sbin/nats-server (or `nats-server` on PATH) and waits until it accepts connections. */
export async function startNatsServer(): Promise<NatsServer> {
  const port = await freePort();
  const child: ChildProcess = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin` },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killNow = (): void => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  };
  // A test run that ends without the after hook (an uncaught error) must not leave the server behind.
  process.once('exit', killNow);
  const stop = async (): Promise<void> => {
    killNow();
    process.removeListener('exit', killNow);
    await exited;
  };
  try {
    await until(`nats-server on port ${port}`, () => accepts(port));
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `nats://127.0.0.1:${port}`, stop };
}
