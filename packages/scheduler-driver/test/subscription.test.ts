import { expect } from 'chai';
import { Random, Runtime } from '@tessera/process';
import { DriverStoppedError, NotSubscribedError, SubscriptionRefusedError } from '../src/errors.js';
import { FakeMaster } from './fake-master.js';
import { fixture } from './support.js';

type Fixture = Awaited<ReturnType<typeof fixture>>;

describe('SchedulerDriver subscription', () => {
  let f: Fixture;
  beforeEach(async () => { f = await fixture(); });
  afterEach(async () => { await f.stop(); });

  it('subscribes and resolves start() with the framework id the master gives', async () => {
    const driver = f.makeDriver();
    const started = driver.start();
    await f.clock.settle();
    expect(await started).to.equal('fw-0001');
    expect(driver.state).to.equal('subscribed');
    expect(driver.frameworkId).to.equal('fw-0001');
    expect(f.master.calls).to.have.length(1);
    expect(f.master.calls[0]!.from).to.equal('scheduler@sched');
    expect(f.master.calls[0]!.call).to.deep.equal({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'tester', name: 'test' } } });
    expect(f.named('subscribed')).to.deep.equal([['fw-0001', { reconnected: false, masterId: 'm1' }]]);
  });

  it('rejects start() with the master\'s message when it answers ERROR, and aborts', async () => {
    f.master.answer = () => ({ kind: 'error', message: 'Framework has been removed' });
    const driver = f.makeDriver();
    const outcome = driver.start().then(() => undefined, (e: Error) => e);
    await f.clock.settle();
    const err = await outcome;
    expect(err).to.be.instanceOf(SubscriptionRefusedError);
    expect(err!.message).to.contain('Framework has been removed');
    expect(driver.state).to.equal('aborted');
    expect(f.named('error')).to.deep.equal([['Framework has been removed']]);
    await f.advance(60_000, 5_000);
    expect(f.master.callsOf('SUBSCRIBE')).to.have.length(1); // no retry after a refusal
  });

  it('fails over to an existing framework: framework_info.id and the top-level framework_id are both set', async () => {
    await f.subscribed({ framework: { user: 'tester', name: 'test', id: { value: 'fw-old' }, failover_timeout: 3600 } });
    const call = f.master.calls[0]!.call;
    expect(call.framework_id).to.deep.equal({ value: 'fw-old' });
    expect(call.subscribe!.framework_info.id).to.deep.equal({ value: 'fw-old' });
  });

  it('retries SUBSCRIBE with a jittered back-off doubling from 1 s until the master answers', async () => {
    f.master.answer = (_call, n) => (n < 4 ? { kind: 'ignore' } : { kind: 'subscribed' });
    const driver = f.makeDriver();
    const started = driver.start();
    await f.advance(20_000, 50);
    expect(await started).to.equal('fw-0001');
    const times = f.master.calls.map((c) => c.at);
    expect(times).to.have.length(5);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // Each gap lies in the upper half of its bound (1, 2, 4, 8 s), give or take one 50 ms step.
    [1_000, 2_000, 4_000, 8_000].forEach((bound, i) => expect(gaps[i]).to.be.within(bound / 2 - 50, bound + 50));
    await f.advance(60_000, 5_000);
    expect(f.master.calls).to.have.length(5); // SUBSCRIBED ends the retries
  });

  it('asks detectMaster before every SUBSCRIBE and retries when detection fails', async () => {
    let asked = 0;
    const detectMaster = async (): Promise<string> => {
      asked += 1;
      if (asked === 1) throw new Error('no leader yet');
      return 'master@master';
    };
    const driver = f.makeDriver({ detectMaster });
    const started = driver.start();
    await f.advance(2_000, 50);
    expect(await started).to.equal('fw-0001');
    expect(asked).to.equal(2);
    expect(f.logger.lines.some((l) => l.message.includes('no leader yet'))).to.equal(true);
  });

  it('re-subscribes with its framework id when the master\'s process exits', async () => {
    const driver = await f.subscribed();
    f.masterRuntime.terminate('master@master');
    await f.clock.settle();
    expect(f.named('disconnected')).to.have.length(1);
    expect(driver.state).to.equal('subscribing');
    const next = f.masterRuntime.spawn(new FakeMaster());
    await f.advance(3_000, 100);
    expect(next.callsOf('SUBSCRIBE')).to.have.length(1);
    expect(next.callsOf('SUBSCRIBE')[0]!.framework_id).to.deep.equal({ value: 'fw-0001' });
    expect(next.callsOf('SUBSCRIBE')[0]!.subscribe!.framework_info.id).to.deep.equal({ value: 'fw-0001' });
    expect(driver.state).to.equal('subscribed');
    expect(f.named('subscribed')[1]).to.deep.equal(['fw-0001', { reconnected: true, masterId: 'm1' }]);
  });

  it('re-subscribes with the master detectMaster names when the master\'s node is lost', async () => {
    let leader = 'master@master';
    const driver = await f.subscribed({ detectMaster: async () => leader });
    const other = await Runtime.create({ transport: f.network.transport('master2'), clock: f.clock, logger: f.logger, random: new Random(3) });
    f.runtimes.push(other);
    const next = other.spawn(new FakeMaster());
    leader = 'master@master2';
    f.network.crash('master');
    await f.clock.settle();
    expect(f.named('disconnected')).to.have.length(1);
    expect(driver.state).to.equal('subscribed');
    expect(next.callsOf('SUBSCRIBE')[0]!.framework_id).to.deep.equal({ value: 'fw-0001' });
    expect(next.calls[0]!.from).to.equal('scheduler@sched');
  });

  it('re-subscribes when no event arrives for five heartbeat intervals', async () => {
    f.master.answer = () => ({ kind: 'subscribed', heartbeatSeconds: 1 });
    const driver = await f.subscribed();
    await f.advance(4_900);
    expect(f.named('disconnected')).to.have.length(0);
    await f.advance(200);
    expect(f.named('disconnected')).to.have.length(1);
    const subscribes = f.master.callsOf('SUBSCRIBE');
    expect(subscribes).to.have.length(2);
    expect(subscribes[1]!.framework_id).to.deep.equal({ value: 'fw-0001' });
    expect(driver.state).to.equal('subscribed');
  });

  it('stays subscribed while heartbeats keep coming', async () => {
    f.master.answer = () => ({ kind: 'subscribed', heartbeatSeconds: 1 });
    const driver = await f.subscribed();
    for (let s = 0; s < 20; s += 1) {
      f.master.event(driver.pid!, { type: 'HEARTBEAT' });
      await f.advance(1_000);
    }
    expect(f.named('heartbeat')).to.have.length(20);
    expect(f.named('disconnected')).to.have.length(0);
    expect(f.master.callsOf('SUBSCRIBE')).to.have.length(1);
  });

  it('takes any event from the master, not only HEARTBEAT, as a sign of life', async () => {
    f.master.answer = () => ({ kind: 'subscribed', heartbeatSeconds: 1 });
    const driver = await f.subscribed();
    for (let s = 0; s < 20; s += 1) {
      f.master.event(driver.pid!, { type: 'RESCIND', rescind: { offer_id: { value: `o${s}` } } });
      await f.advance(1_000);
    }
    expect(f.named('rescind')).to.have.length(20);
    expect(f.named('disconnected')).to.have.length(0);
  });

  it('ignores events from a pid other than the master it subscribed with', async () => {
    const driver = await f.subscribed();
    const impostor = f.masterRuntime.spawn(new FakeMaster('impostor'));
    impostor.event(driver.pid!, { type: 'ERROR', error: { message: 'go away' } });
    await f.clock.settle();
    expect(driver.state).to.equal('subscribed');
    expect(f.named('error')).to.have.length(0);
  });

  it('stop() tears the framework down and leaves the runtime it was given running', async () => {
    const driver = await f.subscribed();
    await driver.stop();
    await f.clock.settle();
    expect(f.master.nonSubscribeCalls()).to.deep.equal([{ framework_id: { value: 'fw-0001' }, type: 'TEARDOWN' }]);
    expect(driver.state).to.equal('stopped');
    expect(f.schedRuntime.processes()).to.deep.equal([]);
    const again = await f.subscribed({ name: 'scheduler2' }); // the runtime still carries messages
    expect(again.state).to.equal('subscribed');
  });

  it('stop({failover: true}) sends no TEARDOWN: the master only sees the driver go away', async () => {
    const driver = await f.subscribed();
    await driver.stop({ failover: true });
    await f.clock.settle();
    expect(f.master.nonSubscribeCalls()).to.deep.equal([]);
    expect(f.master.exits).to.deep.equal([{ pid: 'scheduler@sched', reason: 'terminated' }]);
  });

  it('stop() before SUBSCRIBED rejects start() and stops retrying', async () => {
    f.master.answer = () => ({ kind: 'ignore' });
    const driver = f.makeDriver();
    const outcome = driver.start().then(() => undefined, (e: Error) => e);
    await f.clock.settle();
    await driver.stop();
    expect(await outcome).to.be.instanceOf(DriverStoppedError);
    await f.advance(60_000, 5_000);
    expect(f.master.calls).to.have.length(1);
  });

  it('throws NotSubscribedError for calls before SUBSCRIBED, while re-subscribing and after stop, sending nothing', async () => {
    f.master.answer = (_c, n) => (n === 0 ? { kind: 'ignore' } : { kind: 'subscribed', heartbeatSeconds: 1 });
    const driver = f.makeDriver();
    expect(() => driver.decline(['o1'])).to.throw(NotSubscribedError, /not subscribed: cannot send DECLINE while the driver is idle/);
    const started = driver.start();
    await f.clock.settle();
    expect(() => driver.revive()).to.throw(/not subscribed: cannot send REVIVE while the driver is subscribing/);
    await f.advance(1_000);
    await started;
    await driver.stop({ failover: true });
    expect(() => driver.kill('t1')).to.throw(/not subscribed: cannot send KILL while the driver is stopped/);
    await f.clock.settle();
    expect(f.master.nonSubscribeCalls()).to.deep.equal([]);
  });

  it('refuses a second start()', async () => {
    const driver = await f.subscribed();
    let err: Error | undefined;
    await driver.start().catch((e: Error) => { err = e; });
    expect(err?.message).to.match(/already started/);
  });
});
