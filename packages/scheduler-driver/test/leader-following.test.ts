import { expect } from 'chai';
import { fixture, leaderRecord, leaseDetector, offer } from './support.js';

type Fixture = Awaited<ReturnType<typeof fixture>>;

describe('SchedulerDriver following the leading master', () => {
  let f: Fixture;
  let lease: ReturnType<typeof leaseDetector>;
  beforeEach(async () => {
    f = await fixture();
    lease = leaseDetector();
  });
  afterEach(async () => {
    lease.detector.stop();
    await f.stop();
  });

  /** A driver following `lease`, subscribed with master@master at `epoch`. */
  async function subscribedAt(epoch: number) {
    f.master.leadAt(epoch);
    await lease.elect('master@master', epoch);
    return f.subscribed({ detector: lease.detector });
  }

  it('ignores events with an epoch older than the leader\'s, from the leader\'s pid or a deposed one', async () => {
    const driver = await subscribedAt(2);
    const deposed = await f.extraMaster('old');
    deposed.leadAt(1);
    deposed.event(driver.pid!, { type: 'OFFERS', offers: { offers: [offer('o1', 'a1')] } });
    f.master.leadAt(1); // a message from the leader's pid written in an earlier term
    f.master.event(driver.pid!, { type: 'RESCIND', rescind: { offer_id: { value: 'o0' } } });
    await f.clock.settle();
    expect(f.named('offers')).to.have.length(0);
    expect(f.named('rescind')).to.have.length(0);
    expect(driver.state).to.equal('subscribed');
    expect(f.logger.lines.filter((l) => l.message.includes('stale epoch 1 (the leader\'s is 2)'))).to.have.length(2);
    f.master.leadAt(2);
    f.master.event(driver.pid!, { type: 'RESCIND', rescind: { offer_id: { value: 'o0' } } });
    await f.clock.settle();
    expect(f.named('rescind')).to.deep.equal([['o0']]); // the leader's own epoch is taken
  });

  it('re-subscribes with its framework id at a new leader the detector reports, then reconciles there', async () => {
    const next = await f.extraMaster('standby');
    next.leadAt(2);
    f.master.leadAt(1);
    await lease.elect('master@master', 1);
    const driver = await f.subscribed({ detector: lease.detector, reconcileOnSubscribe: true, tasksToReconcile: () => [{ task_id: 't1', agent_id: 'a1' }] });
    const callsAtOld = f.master.calls.length;
    await lease.elect('master@standby', 2);
    await f.clock.settle();
    expect(f.named('disconnected')).to.have.length(1);
    expect(driver.state).to.equal('subscribed');
    expect(next.calls.map((c) => c.call.type)).to.deep.equal(['SUBSCRIBE', 'RECONCILE', 'RECONCILE']);
    expect(next.calls[0]!.call.framework_id).to.deep.equal({ value: 'fw-0001' });
    expect(next.calls[1]!.call.reconcile).to.deep.equal({ tasks: [{ task_id: { value: 't1' }, agent_id: { value: 'a1' } }] });
    expect(next.calls[2]!.call.reconcile).to.deep.equal({ tasks: [] });
    expect(f.named('subscribed')[1]).to.deep.equal(['fw-0001', { reconnected: true, masterId: 'm1' }]);
    expect(f.master.calls).to.have.length(callsAtOld); // nothing more to the deposed leader
    driver.decline(['o1']);
    await f.clock.settle();
    expect(next.callsOf('DECLINE')).to.have.length(1);
  });

  it('a leader change while SUBSCRIBE is unanswered sends SUBSCRIBE to the new leader at once', async () => {
    f.master.answer = () => ({ kind: 'ignore' });
    await lease.elect('master@master', 1);
    const driver = f.makeDriver({ detector: lease.detector });
    const started = driver.start();
    await f.clock.settle();
    const next = await f.extraMaster('standby');
    next.leadAt(2);
    await lease.elect('master@standby', 2);
    await f.clock.settle();
    expect(await started).to.equal('fw-0001');
    expect(next.callsOf('SUBSCRIBE')).to.have.length(1);
    expect(f.clock.now()).to.equal(0); // no back-off wait
  });

  it('follows a NotLeader answer that names a leader with a higher epoch', async () => {
    const leader = await f.extraMaster('leader');
    leader.leadAt(3);
    f.master.answer = () => ({ kind: 'not-leader', leader: leaderRecord('master@leader', 3) });
    await lease.elect('master@master', 2); // the detector lags behind the election
    const driver = f.makeDriver({ detector: lease.detector });
    const started = driver.start();
    await f.clock.settle();
    expect(await started).to.equal('fw-0001');
    expect(f.master.callsOf('SUBSCRIBE')).to.have.length(1);
    expect(leader.callsOf('SUBSCRIBE')).to.have.length(1);
    leader.event(driver.pid!, { type: 'HEARTBEAT' });
    await f.clock.settle();
    expect(f.named('heartbeat')).to.have.length(1);
  });

  it('does not follow a NotLeader answer naming an older leader, and waits for the detector', async () => {
    const old = await f.extraMaster('old');
    f.master.answer = () => ({ kind: 'not-leader', leader: leaderRecord('master@old', 1) });
    await lease.elect('master@master', 2);
    const driver = f.makeDriver({ detector: lease.detector });
    const started = driver.start();
    await f.clock.settle();
    expect(old.calls).to.have.length(0);
    expect(driver.state).to.equal('subscribing');
    const next = await f.extraMaster('next');
    next.leadAt(3);
    await lease.elect('master@next', 3);
    await f.clock.settle();
    expect(await started).to.equal('fw-0001');
    expect(next.callsOf('SUBSCRIBE')).to.have.length(1);
    expect(old.calls).to.have.length(0);
  });

  it('ignores a leader the detector reports with a lower epoch than one already seen', async () => {
    const stale = await f.extraMaster('stale');
    const driver = await subscribedAt(5);
    await lease.elect('master@stale', 4);
    await f.clock.settle();
    await f.advance(60_000, 5_000);
    expect(stale.calls).to.have.length(0);
    expect(f.named('disconnected')).to.have.length(0);
    expect(driver.state).to.equal('subscribed');
    expect(f.logger.lines.some((l) => l.message.includes('stale epoch 4 (the leader\'s is 5)'))).to.equal(true);
  });

  it('switches to a pid whose event carries a later epoch than the leader\'s, before the detector says so', async () => {
    const driver = await subscribedAt(1);
    const winner = await f.extraMaster('winner');
    winner.leadAt(2);
    winner.event(driver.pid!, { type: 'HEARTBEAT' });
    await f.clock.settle();
    expect(winner.callsOf('SUBSCRIBE')).to.have.length(1);
    expect(winner.callsOf('SUBSCRIBE')[0]!.framework_id).to.deep.equal({ value: 'fw-0001' });
    expect(driver.state).to.equal('subscribed');
    f.master.event(driver.pid!, { type: 'OFFERS', offers: { offers: [offer('o1', 'a1')] } }); // deposed, epoch 1
    await f.clock.settle();
    expect(f.named('offers')).to.have.length(0);
  });

  it('with no leader known it sends nothing and waits for the detector, without retrying', async () => {
    const driver = f.makeDriver({ detector: lease.detector });
    const started = driver.start();
    await f.advance(120_000, 1_000);
    expect(f.master.calls).to.have.length(0);
    expect(driver.state).to.equal('subscribing');
    f.master.leadAt(1);
    await lease.elect('master@master', 1);
    await f.clock.settle();
    expect(await started).to.equal('fw-0001');
    expect(f.master.callsOf('SUBSCRIBE')).to.have.length(1);
  });

  it('when the leader releases its lease, the driver disconnects and waits for the next one', async () => {
    const driver = await subscribedAt(1);
    await lease.release();
    await f.clock.settle();
    expect(f.named('disconnected')).to.have.length(1);
    expect(driver.state).to.equal('subscribing');
    await f.advance(60_000, 1_000);
    expect(f.master.callsOf('SUBSCRIBE')).to.have.length(1); // no retry while no leader is known
    const next = await f.extraMaster('next');
    next.leadAt(2);
    await lease.elect('master@next', 2);
    await f.clock.settle();
    expect(driver.state).to.equal('subscribed');
    expect(next.callsOf('SUBSCRIBE')[0]!.framework_id).to.deep.equal({ value: 'fw-0001' });
  });

  it('stops listening to the detector once stopped', async () => {
    const driver = await subscribedAt(1);
    await driver.stop({ failover: true });
    const next = await f.extraMaster('next');
    await lease.elect('master@next', 2);
    await f.clock.settle();
    expect(next.calls).to.have.length(0);
  });
});
