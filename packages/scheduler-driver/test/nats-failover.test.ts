import { expect } from 'chai';
import { LeaderElector, connectKv, openLeaseDetector, openLeaseStore, type LeaseStore } from '@tessera/leader';
import { NatsTransport, Runtime, SystemClock, memoryLogger } from '@tessera/process';
import { eventually as until, startNatsServer, type NatsServer } from '@tessera/test-harness';
import { SchedulerDriver } from '../src/scheduler-driver.js';
import { FakeMaster } from './fake-master.js';
import { offer, recordingScheduler } from './support.js';

/** A fake master on a NATS node of its own, contending for the lease; it stamps the epoch it wins. */
interface Contender {
  master: FakeMaster;
  elector: LeaderElector;
  runtime: Runtime;
}

describe('SchedulerDriver following masters that take turns through a JetStream KV lease (real NATS)', () => {
  const cluster = 'sd-failover';
  let server: NatsServer;
  let connection: Awaited<ReturnType<typeof connectKv>>;
  let store: LeaseStore;
  const contenders: Contender[] = [];

  async function contender(node: string): Promise<Contender> {
    const runtime = await Runtime.create({ transport: new NatsTransport({ node, servers: server.url, cluster }), logger: memoryLogger() });
    const master = runtime.spawn(new FakeMaster());
    const elector = new LeaderElector({
      store, clock: new SystemClock(), candidate: { pid: master.pid }, contender: node,
      leaseMs: 3_000, renewMs: 500, onElected: (record) => master.leadAt(record.epoch), onDeposed: () => undefined,
    });
    const made = { master, elector, runtime };
    contenders.push(made);
    return made;
  }

  before(async () => {
    server = await startNatsServer({ jetstream: true });
    connection = await connectKv(server.url);
    store = await openLeaseStore(connection, cluster);
  });
  after(async () => {
    for (const c of contenders) {
      await c.elector.stop();
      await c.runtime.stop();
    }
    await connection?.close();
    await server?.stop();
  });

  it('re-subscribes with its framework id at each new leader, reconciles there, and ignores the deposed one', async () => {
    const a = await contender('master-a');
    const b = await contender('master-b');
    a.elector.start();
    await until('master-a elected', () => a.elector.leading !== undefined);
    b.elector.start();
    // As a framework finds the masters' detector: over the lease bucket they created.
    const detector = await openLeaseDetector(connection, cluster, { clock: new SystemClock() });
    const logger = memoryLogger();
    const { scheduler, named } = recordingScheduler();
    const driver = new SchedulerDriver({
      framework: { user: 'tester', name: 'follower', failover_timeout: 60 }, scheduler, nats: { servers: server.url, cluster }, logger, detector,
    });
    try {
      expect(await driver.start()).to.equal('fw-0001');
      expect(a.master.callsOf('SUBSCRIBE')).to.have.length(1);
      await until('RECONCILE at master-a', () => a.master.callsOf('RECONCILE').length === 1);

      await a.elector.stop(); // releases the lease: master-b takes it at once, with epoch 2
      await until('master-b elected', () => b.elector.leading?.epoch === 2);
      await until('SUBSCRIBE and RECONCILE at master-b', () => b.master.callsOf('RECONCILE').length === 1);
      expect(b.master.callsOf('SUBSCRIBE')[0]!.framework_id).to.deep.equal({ value: 'fw-0001' });
      expect(named('disconnected')).to.have.length(1);
      expect(named('subscribed')[1]![1]).to.deep.include({ reconnected: true });

      a.master.event(driver.pid!, { type: 'OFFERS', offers: { offers: [offer('stale', 'a1')] } }); // still stamped with epoch 1
      b.master.event(driver.pid!, { type: 'OFFERS', offers: { offers: [offer('fresh', 'a1')] } });
      await until('the leader\'s offers', () => named('offers').length === 1);
      await until('the deposed leader\'s offers ignored', () => logger.lines.some((l) => l.message.includes('stale epoch 1 (the leader\'s is 2)')));
      expect((named('offers')[0]![0] as { id: { value: string } }[])[0]!.id.value).to.equal('fresh');

      a.elector.start(); // back as a standby; master-b goes away and master-a leads again, epoch 3
      await b.elector.stop();
      await until('master-a elected again', () => a.elector.leading?.epoch === 3);
      await until('SUBSCRIBE at master-a again', () => a.master.callsOf('SUBSCRIBE').length === 2 && driver.state === 'subscribed');
      expect(a.master.callsOf('SUBSCRIBE')[1]!.framework_id).to.deep.equal({ value: 'fw-0001' });
      expect(named('disconnected')).to.have.length(2);
    } finally {
      await driver.stop({ failover: true });
      detector.stop();
    }
  });
});
