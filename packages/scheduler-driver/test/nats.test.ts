import { expect } from 'chai';
import { NatsTransport, Runtime, memoryLogger } from '@tessera/process';
import { SchedulerDriver } from '../src/scheduler-driver.js';
import { FakeMaster } from './fake-master.js';
import { eventually as until, startNatsServer, type NatsServer } from '@tessera/test-harness';
import { offer, recordingScheduler } from './support.js';

describe('SchedulerDriver over NATS (its own runtime)', () => {
  let server: NatsServer;
  let masterRuntime: Runtime;
  let master: FakeMaster;
  const cluster = 'sd-test';
  before(async () => {
    server = await startNatsServer();
    masterRuntime = await Runtime.create({ transport: new NatsTransport({ node: 'master', servers: server.url, cluster }), logger: memoryLogger() });
    master = masterRuntime.spawn(new FakeMaster());
  });
  after(async () => {
    await masterRuntime?.stop();
    await server?.stop();
  });

  it('subscribes from a node of its own, gets events, and on stop tears down and closes its connection', async () => {
    const { scheduler, named } = recordingScheduler();
    const driver = new SchedulerDriver({
      framework: { user: 'tester', name: 'over-nats' }, scheduler, nats: { servers: server.url, cluster }, logger: memoryLogger(),
    });
    expect(await driver.start()).to.equal('fw-0001');
    expect(driver.pid).to.match(/^scheduler@scheduler-[0-9a-z]{8}$/);
    master.event(driver.pid!, { type: 'OFFERS', offers: { offers: [offer('o1', 'a1')] } });
    await until('the offers callback', () => named('offers').length === 1);
    await driver.stop();
    await until('TEARDOWN at the master', () => master.callsOf('TEARDOWN').length === 1);
    await until('the driver\'s exit at the master', () => master.exits.some((e) => e.pid === driver.pid));
    expect(driver.state).to.equal('stopped');
  });

  it('rejects start() when NATS cannot be reached, leaving nothing running', async () => {
    const driver = new SchedulerDriver({
      framework: { user: 'tester', name: 'nowhere' }, scheduler: {}, nats: { servers: 'nats://127.0.0.1:1' }, logger: memoryLogger(),
    });
    const err = await driver.start().then(() => undefined, (e: Error) => e);
    expect(err).to.be.instanceOf(Error);
    expect(driver.state).to.equal('idle');
  });
});
