import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { expect } from 'chai';
import { MemoryNetwork, Random, Runtime, memoryLogger } from '@tessera/process';
import type { LeaderRecord } from '@tessera/protocol';
import { eventually, freePort, startNatsServer, type NatsServer } from '@tessera/test-harness';
import { startMasterHttp, type ListeningServer } from '../src/index.js';

describe('a standby master', function () {
  this.timeout(60_000);

  describe('with a stub contender that does not lead', () => {
    let runtime: Runtime;
    let server: ListeningServer;
    let leader: LeaderRecord | undefined;

    before(async () => {
      runtime = await Runtime.create({ transport: new MemoryNetwork().transport('standby'), logger: memoryLogger(), random: new Random(3) });
      server = await startMasterHttp({
        runtime, logger: memoryLogger(), host: '127.0.0.1', port: 0, ownHttp: () => '127.0.0.1:1',
        source: { master: undefined, get leader() { return leader; } },
      });
    });
    after(async () => {
      await server.close();
      await runtime.stop();
    });

    it('still answers /health itself', async () => {
      leader = { pid: 'master@m1', epoch: 1, contender: 'master@m1#a', lease_ms: 10_000, http: '10.0.0.1:5050' };
      const response = await fetch(`${server.url}/health`, { redirect: 'manual' });
      expect(response.status).to.equal(200);
    });

    it('sends every other request to the leader\'s published address with a 307, path and query kept', async () => {
      leader = { pid: 'master@m1', epoch: 1, contender: 'master@m1#a', lease_ms: 10_000, http: '10.0.0.1:5050' };
      for (const [method, url] of [['GET', '/state'], ['GET', '/tasks?limit=5'], ['POST', '/api/v1'], ['GET', '/']]) {
        const response = await fetch(`${server.url}${url}`, { method, redirect: 'manual', ...(method === 'POST' ? { body: '{"type":"GET_STATE"}', headers: { 'Content-Type': 'application/json' } } : {}) });
        expect(response.status, url).to.equal(307);
        expect(response.headers.get('location')).to.equal(`http://10.0.0.1:5050${url}`);
      }
    });

    it('answers 503 with a JSON error when the leader published no address, or none is known', async () => {
      leader = { pid: 'master@m1', epoch: 1, contender: 'master@m1#a', lease_ms: 10_000 };
      let response = await fetch(`${server.url}/state`, { redirect: 'manual' });
      expect(response.status).to.equal(503);
      expect(((await response.json()) as { error: string }).error).to.match(/published no HTTP address/);
      leader = undefined;
      response = await fetch(`${server.url}/state`, { redirect: 'manual' });
      expect(response.status).to.equal(503);
      expect(((await response.json()) as { error: string }).error).to.match(/no leading master is known/);
    });

    it('answers 503, not a redirect to itself, while it was just elected and is starting', async () => {
      leader = { pid: 'master@me', epoch: 2, contender: 'master@me#b', lease_ms: 10_000, http: '127.0.0.1:1' };
      const response = await fetch(`${server.url}/state`, { redirect: 'manual' });
      expect(response.status).to.equal(503);
    });
  });

  describe('as a real `tessera master` process over NATS', () => {
    const main = path.join(path.dirname(createRequire(import.meta.url).resolve('@tessera/cli')), 'main.js');
    let nats: NatsServer;
    const children: ChildProcess[] = [];

    before(async () => {
      nats = await startNatsServer({ jetstream: true });
    });
    after(async () => {
      for (const child of children) child.kill('SIGKILL');
      await nats.stop();
    });

    function startMaster(node: string, port: number): void {
      children.push(spawn(process.execPath, [main, 'master', '--nats', nats.url, '--cluster', 'redirect', '--node', node, '--http-host', '127.0.0.1', '--http-port', String(port), '--log-level', 'warn'], { stdio: 'ignore' }));
    }

    it('redirects to the leader, which serves the request, and itself answers /health', async () => {
      const [first, second] = [await freePort(), await freePort()];
      startMaster('m1', first);
      await eventually('the first master leads', async () => (await fetch(`http://127.0.0.1:${first}/state`).catch(() => undefined))?.status === 200, 30_000);
      startMaster('m2', second);
      await eventually('the second master serves HTTP', async () => (await fetch(`http://127.0.0.1:${second}/health`).catch(() => undefined))?.status === 200, 30_000);
      // Until its first read of the lease it knows no leader and rightly answers 503.
      let redirected: Response | undefined;
      await eventually('the second master knows the leader', async () => {
        redirected = await fetch(`http://127.0.0.1:${second}/tasks?limit=1`, { redirect: 'manual' });
        return redirected.status !== 503;
      }, 30_000);
      expect(redirected!.status).to.equal(307);
      expect(redirected!.headers.get('location')).to.equal(`http://127.0.0.1:${first}/tasks?limit=1`);
      // Followed, it reaches the leader's /state.
      const followed = await fetch(`http://127.0.0.1:${second}/state`);
      expect(followed.status).to.equal(200);
      expect(((await followed.json()) as { pid: string }).pid).to.equal('master@m1');
    });
  });
});
