import { expect } from 'chai';
import type { NatsConnection } from '@nats-io/transport-node';
import { SystemClock } from '@tessera/process';
import { eventually, startNatsCluster, startNatsServer, type NatsServer } from '@tessera/test-harness';
import { Kvm } from '@nats-io/kv';
import { LeaderElector, LeaseConflictError, bucketName, connectKv, openLeaseDetector, openLeaseStore, type KvLeaseStore } from '../src/index.js';

describe('the lease in JetStream KV (real nats-server)', function () {
  this.timeout(30_000);
  let server: NatsServer;
  let connection: NatsConnection;

  before(async () => {
    server = await startNatsServer({ jetstream: true });
    connection = await connectKv(server.url);
  });

  after(async () => {
    await connection?.drain();
    await server?.stop();
  });

  it('creates only if absent and updates only at the current revision', async () => {
    const store: KvLeaseStore = await openLeaseStore(connection, 'cas');
    const record = { pid: 'master@a', epoch: 1, contender: 'a', lease_ms: 1_000 };
    const first = await store.write(record, undefined);
    const errors: unknown[] = [];
    await store.write(record, undefined).catch((e: unknown) => errors.push(e));
    const second = await store.write({ ...record, epoch: 2 }, first);
    await store.write(record, first).catch((e: unknown) => errors.push(e));
    expect(errors).to.have.length(2);
    for (const e of errors) expect(e).to.be.instanceOf(LeaseConflictError);
    expect(await store.read()).to.deep.equal({ record: { ...record, epoch: 2 }, revision: second });
  });

  it('elects one of two masters; a detector follows the hand-over when the leader stops', async () => {
    const clock = new SystemClock();
    const store = await openLeaseStore(connection, 'election');
    const elected: string[] = [];
    const electors = ['a', 'b'].map((name) => new LeaderElector({
      store, clock, contender: name, candidate: { pid: `master@${name}` }, leaseMs: 2_000,
      onElected: (record) => elected.push(`${name}:${record.epoch}`), onDeposed: () => undefined,
    }));
    const detector = await openLeaseDetector(connection, 'election', { clock });
    const seen: string[] = [];
    detector.onChange((leader) => seen.push(leader === undefined ? 'none' : `${leader.pid}:${leader.epoch}`));
    try {
      for (const elector of electors) elector.start();
      await eventually('a leader is elected', () => elected.length === 1);
      const [winner] = elected[0]!.split(':');
      await eventually('the detector knows it', () => detector.leader?.pid === `master@${winner}`);
      await electors.find((_, i) => ['a', 'b'][i] === winner)!.stop();
      await eventually('the other takes over with epoch 2', () => elected.length === 2, 5_000);
      expect(elected[1]).to.match(/:2$/);
      expect(elected[1]!.split(':')[0]).to.not.equal(winner);
      await eventually('the detector follows', () => detector.leader?.epoch === 2);
      expect(seen).to.include(`master@${winner}:1`);
    } finally {
      detector.stop();
      for (const elector of electors) await elector.stop();
    }
  });

  it('lets exactly one of two concurrent writes at one revision through on a 3-server cluster (replicas 3)', async () => {
    // nats-server 2.9.10's per-key revision check let both through in most such pairs.
    const cluster = await startNatsCluster({ size: 3 });
    const connections = await Promise.all(cluster.urls.slice(0, 2).map((url) => connectKv(url)));
    try {
      const record = (name: string, epoch: number) => ({ pid: `master@${name}`, epoch, contender: name, lease_ms: 1_000 });
      for (let round = 0; round < 4; round += 1) {
        const [a, b] = await Promise.all(connections.map((c) => openLeaseStore(c, `create-race-${round}`, 3)));
        const creates = await Promise.allSettled([a!.write(record('a', 1), undefined), b!.write(record('b', 1), undefined)]);
        expect(creates.filter((r) => r.status === 'fulfilled'), `round ${round}: one create of the absent lease`).to.have.length(1);
      }
      const [one, two] = await Promise.all(connections.map((c) => openLeaseStore(c, 'race', 3)));
      await one!.write(record('a', 1), undefined);
      let doubles = 0;
      let rounds = 0;
      for (let epoch = 2; epoch <= 60; epoch += 1) {
        // read() may answer from a lagging replica: a stale revision makes both lose, safely.
        const { revision } = (await one!.read())!;
        const results = await Promise.allSettled([one!.write(record('a', epoch), revision), two!.write(record('b', epoch), revision)]);
        const won = results.filter((r): r is PromiseFulfilledResult<number> => r.status === 'fulfilled');
        for (const r of results) if (r.status === 'rejected') expect(r.reason).to.be.instanceOf(LeaseConflictError);
        if (won.length > 1) doubles += 1;
        if (won.length === 1) {
          rounds += 1;
          expect(won[0]!.value).to.equal(revision + 1);
        }
      }
      expect(doubles).to.equal(0);
      expect(rounds, 'rounds with a winner').to.be.greaterThan(30);
    } finally {
      for (const c of connections) await c.drain();
      await cluster.stop();
    }
  });

  it('creates the lease over a deleted one, refuses to create over a held one, and refuses a bucket holding other keys', async () => {
    const store = await openLeaseStore(connection, 'deleted');
    const record = { pid: 'master@a', epoch: 1, contender: 'a', lease_ms: 1_000 };
    const first = await store.write(record, undefined);
    const refused = await store.write({ ...record, epoch: 2 }, undefined).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(LeaseConflictError);
    const kv = await new Kvm(connection).open(bucketName('deleted', 'leader'));
    await kv.delete('leader');
    const again = await store.write({ ...record, epoch: 2 }, undefined);
    expect(again).to.equal(first + 2);
    expect((await store.read())!.record.epoch).to.equal(2);
    await kv.put('stray', new TextEncoder().encode('x'));
    const error = await openLeaseStore(connection, 'deleted').catch((e: unknown) => e);
    expect((error as Error).message).to.include("must hold only 'leader'");
  });
});
