import { expect } from 'chai';
import type { TaskStatus } from '@tessera/protocol';
import type { SchedulerDriver } from '../src/scheduler-driver.js';
import type { Scheduler } from '../src/types.js';
import { fixture, offer, recordingScheduler } from './support.js';

type Fixture = Awaited<ReturnType<typeof fixture>>;

const status = (uuid?: string): TaskStatus => ({
  task_id: { value: 't1' }, state: 'TASK_RUNNING', agent_id: { value: 'a1' }, source: 'SOURCE_EXECUTOR', ...(uuid === undefined ? {} : { uuid }),
});
const ack = (uuid: string) => ({ framework_id: { value: 'fw-0001' }, type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'a1' }, task_id: { value: 't1' }, uuid } });

describe('SchedulerDriver events', () => {
  let f: Fixture;
  beforeEach(async () => { f = await fixture(); });
  afterEach(async () => { await f.stop(); });

  /** A subscribed driver whose callbacks are `scheduler` (recorded in the returned list too). */
  async function driverWith(scheduler: Scheduler = {}, implicitAcknowledgements?: boolean) {
    const recorder = recordingScheduler(scheduler);
    const driver = await f.subscribed({ scheduler: recorder.scheduler, ...(implicitAcknowledgements === undefined ? {} : { implicitAcknowledgements }) });
    return { driver, ...recorder };
  }

  it('hands offers, rescinds, messages, failures and heartbeats to their callbacks, ids as strings', async () => {
    const { driver, seen } = await driverWith();
    const to = driver.pid!;
    f.master.event(to, { type: 'OFFERS', offers: { offers: [offer('o1', 'a1'), offer('o2', 'a2')] } });
    f.master.event(to, { type: 'RESCIND', rescind: { offer_id: { value: 'o2' } } });
    f.master.event(to, { type: 'MESSAGE', message: { agent_id: { value: 'a1' }, executor_id: { value: 'e1' }, data: 'aGk=' } });
    f.master.event(to, { type: 'FAILURE', failure: { agent_id: { value: 'a1' }, executor_id: { value: 'e1' }, status: 137 } });
    f.master.event(to, { type: 'HEARTBEAT' });
    await f.clock.settle();
    expect(seen.slice(1)).to.deep.equal([
      { name: 'offers', args: [[offer('o1', 'a1'), offer('o2', 'a2')]] },
      { name: 'rescind', args: ['o2'] },
      { name: 'message', args: ['a1', 'e1', 'aGk='] },
      { name: 'failure', args: [{ agent_id: { value: 'a1' }, executor_id: { value: 'e1' }, status: 137 }] },
      { name: 'heartbeat', args: [] },
    ]);
  });

  it('drops an event without its payload, with a warning', async () => {
    const { driver, named } = await driverWith();
    f.master.event(driver.pid!, { type: 'OFFERS' });
    await f.clock.settle();
    expect(named('offers')).to.deep.equal([]);
    expect(f.logger.lines.some((l) => l.message.includes("dropped OFFERS without its 'offers' payload"))).to.equal(true);
  });

  it('acknowledges an update with a uuid once the update callback has returned', async () => {
    let acksWhenCalled = -1;
    const { driver, named } = await driverWith({ update: () => { acksWhenCalled = f.master.callsOf('ACKNOWLEDGE').length; } });
    f.master.event(driver.pid!, { type: 'UPDATE', update: { status: status('u-1') } });
    await f.clock.settle();
    expect(named('update')).to.deep.equal([[status('u-1')]]);
    expect(acksWhenCalled).to.equal(0);
    expect(f.master.nonSubscribeCalls()).to.deep.equal([ack('u-1')]);
  });

  it('waits for an async update callback before acknowledging', async () => {
    let finish!: () => void;
    const { driver } = await driverWith({ update: () => new Promise<void>((resolve) => { finish = resolve; }) });
    f.master.event(driver.pid!, { type: 'UPDATE', update: { status: status('u-2') } });
    await f.clock.settle();
    expect(f.master.callsOf('ACKNOWLEDGE')).to.deep.equal([]);
    finish();
    await f.clock.settle();
    expect(f.master.callsOf('ACKNOWLEDGE')).to.deep.equal([ack('u-2')]);
  });

  it('does not acknowledge an update without a uuid (the master made it)', async () => {
    const { driver, named } = await driverWith();
    f.master.event(driver.pid!, { type: 'UPDATE', update: { status: status() } });
    await f.clock.settle();
    expect(named('update')).to.have.length(1);
    expect(f.master.nonSubscribeCalls()).to.deep.equal([]);
  });

  it('does not acknowledge when the update callback throws, so that the update comes again', async () => {
    const { driver } = await driverWith({ update: () => { throw new Error('database down'); } });
    f.master.event(driver.pid!, { type: 'UPDATE', update: { status: status('u-3') } });
    await f.clock.settle();
    expect(f.master.nonSubscribeCalls()).to.deep.equal([]);
    expect(f.logger.lines.some((l) => l.level === 'error' && l.message.includes('update callback failed: database down'))).to.equal(true);
    expect(driver.state).to.equal('subscribed');
  });

  it('with implicitAcknowledgements false sends nothing until the framework acknowledges', async () => {
    const { driver } = await driverWith({}, false);
    f.master.event(driver.pid!, { type: 'UPDATE', update: { status: status('u-4') } });
    await f.clock.settle();
    expect(f.master.nonSubscribeCalls()).to.deep.equal([]);
    driver.acknowledge('a1', 't1', 'u-4');
    await f.clock.settle();
    expect(f.master.nonSubscribeCalls()).to.deep.equal([ack('u-4')]);
  });

  it('runs callbacks one at a time in event order, an async one holding the next back', async () => {
    const order: string[] = [];
    let release!: () => void;
    const { driver } = await driverWith({
      offers: async () => { order.push('offers begin'); await new Promise<void>((r) => { release = r; }); order.push('offers end'); },
      rescind: (id: string) => { order.push(`rescind ${id}`); },
    });
    f.master.event(driver.pid!, { type: 'OFFERS', offers: { offers: [offer('o1', 'a1')] } });
    f.master.event(driver.pid!, { type: 'RESCIND', rescind: { offer_id: { value: 'o1' } } });
    await f.clock.settle();
    expect(order).to.deep.equal(['offers begin']);
    release();
    await f.clock.settle();
    expect(order).to.deep.equal(['offers begin', 'offers end', 'rescind o1']);
  });

  it('a callback may stop the driver', async () => {
    let driver!: SchedulerDriver;
    ({ driver } = await driverWith({ offers: async () => { await driver.stop(); } }));
    f.master.event(driver.pid!, { type: 'OFFERS', offers: { offers: [offer('o1', 'a1')] } });
    await f.clock.settle();
    expect(driver.state).to.equal('stopped');
    expect(f.master.callsOf('TEARDOWN')).to.have.length(1);
  });

  it('aborts on an ERROR while subscribed: the error callback runs and calls throw', async () => {
    const { driver, named } = await driverWith();
    f.master.event(driver.pid!, { type: 'ERROR', error: { message: 'Framework failed over' } });
    await f.clock.settle();
    expect(named('error')).to.deep.equal([['Framework failed over']]);
    expect(driver.state).to.equal('aborted');
    expect(() => driver.decline(['o1'])).to.throw(/not subscribed/);
  });
});
