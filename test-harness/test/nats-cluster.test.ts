// A three-server loopback cluster: it forms, routes messages between members, elects a JetStream
// meta leader before it resolves, and survives a member's SIGKILL and restart.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { expect } from 'chai';
import { startNatsCluster, stopAllNatsServers, type NatsCluster } from '../src/index.js';
import { getJson, refuses, rejectionOf } from './loopback-support.js';

async function routeCounts(cluster: NatsCluster): Promise<number[]> {
  const routez = await Promise.all(cluster.servers.map((s) => getJson(s.monitorPort, '/routez')));
  return routez.map((r) => Number(r['num_routes']));
}

describe('nats-server harness: a cluster', () => {
  after(() => stopAllNatsServers());

  describe('once started', () => {
    let cluster: NatsCluster;
    const clients: NatsConnection[] = [];
    before(async () => {
      cluster = await startNatsCluster();
    });
    afterEach(async () => {
      await Promise.all(clients.splice(0).map((nc) => nc.close()));
    });

    it('has three members on distinct ports with distinct names', () => {
      const ports = cluster.servers.flatMap((s) => [s.port, s.monitorPort]);
      expect(new Set(ports).size).to.equal(6);
      expect(new Set(cluster.servers.map((s) => s.name)).size).to.equal(3);
      expect(cluster.urls).to.deep.equal(cluster.servers.map((s) => `nats://127.0.0.1:${s.port}`));
    });

    it('has every member routed to the two others', async () => {
      for (const routes of await routeCounts(cluster)) expect(routes).to.be.at.least(2);
    });

    it('has a JetStream meta leader over three peers', async () => {
      const jsz = await getJson(cluster.servers[0]!.monitorPort, '/jsz');
      const meta = jsz['meta_cluster'] as { leader?: string; cluster_size?: number };
      expect(cluster.servers.map((s) => s.name)).to.include(meta.leader);
      expect(meta.cluster_size).to.equal(3);
    });

    it('delivers a message published on one member to a subscriber on another', async () => {
      const [first, third] = [cluster.urls[0]!, cluster.urls[2]!];
      const subscriber = await connect({ servers: first, reconnect: false });
      const publisher = await connect({ servers: third, reconnect: false });
      clients.push(subscriber, publisher);
      const sub = subscriber.subscribe('tessera.harness.hello', { max: 1 });
      await subscriber.flush();
      // Interest crosses the route asynchronously: publish until it arrives, within a deadline.
      const received = (async () => {
        for await (const msg of sub) return msg.string();
        return undefined;
      })();
      const deadline = performance.now() + 5_000;
      let got: string | undefined;
      while (got === undefined && performance.now() < deadline) {
        publisher.publish('tessera.harness.hello', 'hello from n3');
        await publisher.flush();
        got = await Promise.race([received, new Promise<undefined>((r) => setTimeout(r, 25, undefined))]);
      }
      expect(got).to.equal('hello from n3');
    });
  });

  it('stop() makes every member refuse connections', async () => {
    const cluster = await startNatsCluster({ jetstream: false });
    await cluster.stop();
    expect(await Promise.all(cluster.servers.map((s) => refuses(s.port)))).to.deep.equal([true, true, true]);
  });

  it('takes back a member killed with SIGKILL and restarted', async () => {
    const cluster = await startNatsCluster();
    // A follower: killing the meta leader would add a 4-7 s re-election to this test's time.
    const jsz = await getJson(cluster.servers[0]!.monitorPort, '/jsz');
    const leader = (jsz['meta_cluster'] as { leader?: string }).leader;
    const member = cluster.servers.find((s) => s.name !== leader)!;
    await member.kill('SIGKILL');
    await member.restart();
    expect(await routeCounts(cluster)).to.satisfy((counts: number[]) => counts.every((n) => n >= 2));
    await cluster.stop();
  });

  it('rejects a size below two', async () => {
    const err = await rejectionOf(startNatsCluster({ size: 1 }));
    expect(err).to.be.instanceOf(RangeError);
  });
});
