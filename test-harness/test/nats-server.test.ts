// A single real nats-server: reachable, stoppable, restartable on the same port, JetStream on
// request, and a start that fails says why in the server's own words.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { findNatsServer, freePort, NatsStartError, startNatsServer, stopAllNatsServers } from '../src/index.js';
import { getJson, rejectionOf } from './loopback-support.js';

/** The first line a NATS server sends a new client. */
function readInfoLine(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = '';
    socket.setEncoding('utf8');
    socket.setTimeout(2_000, () => socket.destroy(new Error('no INFO line within 2 s')));
    socket.on('data', (chunk: string) => {
      received += chunk;
      const end = received.indexOf('\r\n');
      if (end >= 0) {
        socket.destroy();
        resolve(received.slice(0, end));
      }
    });
    socket.on('error', reject);
  });
}

/** The error code of a connection attempt, or 'connected'. */
function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('nats-server harness: a single server', () => {
  afterEach(() => stopAllNatsServers());

  it('answers a raw TCP client with an INFO line naming its port', async () => {
    const server = await startNatsServer();
    const line = await readInfoLine(server.port);
    expect(line.startsWith('INFO ')).to.equal(true);
    expect(JSON.parse(line.slice(5))).to.include({ port: server.port, host: '127.0.0.1' });
    expect(server.url).to.equal(`nats://127.0.0.1:${server.port}`);
  });

  it('gives two servers started together different ports', async () => {
    const [a, b] = await Promise.all([startNatsServer(), startNatsServer()]);
    const ports = new Set([a.port, a.monitorPort, b.port, b.monitorPort]);
    expect(ports.size).to.equal(4);
  });

  it('refuses connections on its port once stopped', async () => {
    const server = await startNatsServer();
    await server.stop();
    expect(await connectOutcome(server.port)).to.equal('ECONNREFUSED');
    expect(server.running).to.equal(false);
  });

  it('resolves a second stop() without error', async () => {
    const server = await startNatsServer();
    await Promise.all([server.stop(), server.stop()]);
    await server.stop();
    expect(await connectOutcome(server.port)).to.equal('ECONNREFUSED');
  });

  it('comes back on the same port after kill(SIGKILL) and restart()', async () => {
    const server = await startNatsServer();
    const firstPid = server.pid;
    await server.kill('SIGKILL');
    expect(await connectOutcome(server.port)).to.equal('ECONNREFUSED');
    await server.restart();
    expect(server.pid).to.not.equal(firstPid);
    expect(await readInfoLine(server.port)).to.match(/^INFO /);
  });

  it('rejects restart() after stop()', async () => {
    const server = await startNatsServer();
    await server.stop();
    const err = await rejectionOf(server.restart());
    expect(err.message).to.match(/after stop\(\)/);
  });

  it('enables JetStream with capped limits when asked', async () => {
    const server = await startNatsServer({ jetstream: true });
    const jsz = await getJson(server.monitorPort, '/jsz');
    expect(jsz['disabled']).to.not.equal(true);
    expect(jsz['config']).to.include({ max_memory: 256 * 1024 ** 2, max_storage: 1024 ** 3 });
  });

  it('leaves JetStream off by default', async () => {
    const server = await startNatsServer();
    const jsz = await getJson(server.monitorPort, '/jsz');
    expect(jsz['disabled']).to.equal(true);
  });

  it('keeps its store in a tessera-nats- temp dir that stop() removes', async () => {
    const server = await startNatsServer({ jetstream: true });
    const storeDir = String(((await getJson(server.monitorPort, '/jsz'))['config'] as { store_dir: string }).store_dir);
    const tempDir = path.relative(os.tmpdir(), storeDir).split(path.sep)[0] ?? '';
    expect(tempDir).to.match(/^tessera-nats-/);
    expect(existsSync(storeDir)).to.equal(true);
    await server.stop();
    expect(existsSync(path.join(os.tmpdir(), tempDir))).to.equal(false);
  });

  it('fails with the server output when its client port is taken', async () => {
    const squatter = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const err = await rejectionOf(startNatsServer({ port }));
      expect(err).to.be.instanceOf(NatsStartError);
      expect(err.message).to.match(/exited with code 1 before it was ready/);
      expect(err.message).to.include('address already in use');
    } finally {
      squatter.close();
    }
  });

  it('writes the server log to logFile when given one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-nats-log-'));
    try {
      const logFile = path.join(dir, 'server.log');
      const server = await startNatsServer({ logFile });
      await server.stop();
      expect(readFileSync(logFile, 'utf8')).to.include('Server is ready');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the apt package when no nats-server binary exists', () => {
    expect(() => findNatsServer('/nonexistent-dir', [])).to.throw(/apt-get install -y nats-server/);
  });
});
