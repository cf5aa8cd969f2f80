import { expect } from 'chai';
import { Resources, type TaskInfo } from '@tessera/protocol';
import { InvalidCallError } from '../src/errors.js';
import { reserveOperation, unreserveOperation, validateCall } from '../src/calls.js';
import type { SchedulerDriver } from '../src/scheduler-driver.js';
import { FakeMaster } from './fake-master.js';
import { fixture } from './support.js';

type Fixture = Awaited<ReturnType<typeof fixture>>;

const fw = { value: 'fw-0001' };
const task = (id: string): TaskInfo => ({ name: id, task_id: { value: id }, agent_id: { value: 'a1' }, resources: Resources.parse('cpus:1').toJSON(), command: { value: 'true' } });

describe('SchedulerDriver calls', () => {
  let f: Fixture;
  let driver: SchedulerDriver;
  beforeEach(async () => {
    f = await fixture();
    driver = await f.subscribed({ framework: { user: 'tester', name: 'test', roles: ['web', 'batch'] } });
  });
  afterEach(async () => { await f.stop(); });

  /** Runs `act`, lets the messages land, and returns the calls the master got from it. */
  async function sent(act: () => void): Promise<unknown[]> {
    const before = f.master.calls.length;
    act();
    await f.clock.settle();
    return f.master.calls.slice(before).map((c) => c.call);
  }

  it('launch sends ACCEPT with one LAUNCH operation, wrapping string offer ids', async () => {
    expect(await sent(() => driver.launch(['o1'], [task('t1')], { refuse_seconds: 5 }))).to.deep.equal([
      { framework_id: fw, type: 'ACCEPT', accept: { offer_ids: [{ value: 'o1' }], operations: [{ type: 'LAUNCH', launch: { task_infos: [task('t1')] } }], filters: { refuse_seconds: 5 } } },
    ]);
  });

  it('launchGroup sends ACCEPT with a LAUNCH_GROUP operation', async () => {
    const executor = { executor_id: { value: 'e1' }, type: 'DEFAULT' as const };
    expect(await sent(() => driver.launchGroup([{ value: 'o1' }], executor, [task('t1'), task('t2')]))).to.deep.equal([
      { framework_id: fw, type: 'ACCEPT', accept: { offer_ids: [{ value: 'o1' }], operations: [{ type: 'LAUNCH_GROUP', launch_group: { executor, task_group: { tasks: [task('t1'), task('t2')] } } }] } },
    ]);
  });

  it('accept carries RESERVE and UNRESERVE operations', async () => {
    const reserved = Resources.parse('cpus(web):1');
    const ops = [reserveOperation(reserved), unreserveOperation(reserved.toJSON())];
    expect(await sent(() => driver.accept(['o1', 'o2'], ops))).to.deep.equal([
      { framework_id: fw, type: 'ACCEPT', accept: { offer_ids: [{ value: 'o1' }, { value: 'o2' }], operations: [
        { type: 'RESERVE', reserve: { resources: reserved.toJSON() } },
        { type: 'UNRESERVE', unreserve: { resources: reserved.toJSON() } },
      ] } },
    ]);
  });

  it('decline, revive, suppress, kill, shutdown, acknowledge, reconcile, message each send their call', async () => {
    const calls = await sent(() => {
      driver.decline(['o1'], { refuse_seconds: 0 });
      driver.revive(['web']);
      driver.suppress();
      driver.kill('t1', 'a1', { grace_period: { nanoseconds: 1_000 } });
      driver.kill('t2');
      driver.shutdown('e1', 'a1');
      driver.acknowledge('a1', 't1', 'u-1');
      driver.reconcile([{ task_id: 't1', agent_id: { value: 'a1' } }]);
      driver.reconcile([]);
      driver.message('a1', 'e1', 'aGk=');
    });
    expect(calls).to.deep.equal([
      { framework_id: fw, type: 'DECLINE', decline: { offer_ids: [{ value: 'o1' }], filters: { refuse_seconds: 0 } } },
      { framework_id: fw, type: 'REVIVE', revive: { roles: ['web'] } },
      { framework_id: fw, type: 'SUPPRESS', suppress: {} },
      { framework_id: fw, type: 'KILL', kill: { task_id: { value: 't1' }, agent_id: { value: 'a1' }, kill_policy: { grace_period: { nanoseconds: 1_000 } } } },
      { framework_id: fw, type: 'KILL', kill: { task_id: { value: 't2' } } },
      { framework_id: fw, type: 'SHUTDOWN', shutdown: { executor_id: { value: 'e1' }, agent_id: { value: 'a1' } } },
      { framework_id: fw, type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'a1' }, task_id: { value: 't1' }, uuid: 'u-1' } },
      { framework_id: fw, type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 't1' }, agent_id: { value: 'a1' } }] } },
      { framework_id: fw, type: 'RECONCILE', reconcile: { tasks: [] } },
      { framework_id: fw, type: 'MESSAGE', message: { agent_id: { value: 'a1' }, executor_id: { value: 'e1' }, data: 'aGk=' } },
    ]);
  });

  it('updateFramework keeps the framework id, and a later re-subscription sends the new info', async () => {
    const info = { user: 'tester', name: 'renamed', roles: ['web'] };
    expect(await sent(() => driver.updateFramework(info, ['web']))).to.deep.equal([
      { framework_id: fw, type: 'UPDATE_FRAMEWORK', update_framework: { framework_info: { ...info, id: fw }, suppressed_roles: ['web'] } },
    ]);
    f.masterRuntime.terminate('master@master');
    await f.clock.settle();
    const next = f.masterRuntime.spawn(new FakeMaster());
    await f.advance(3_000);
    expect(next.callsOf('SUBSCRIBE')[0]!.subscribe).to.deep.equal({ framework_info: { ...info, id: fw }, suppressed_roles: ['web'] });
  });

  it('keeps suppressed roles across a re-subscription until revived', async () => {
    driver.suppress(); // every role of the framework
    driver.revive(['batch']);
    f.master.answer = () => ({ kind: 'subscribed' });
    f.masterRuntime.terminate('master@master');
    await f.clock.settle();
    const next = f.masterRuntime.spawn(new FakeMaster());
    await f.advance(3_000);
    expect(next.callsOf('SUBSCRIBE')[0]!.subscribe!.suppressed_roles).to.deep.equal(['web']);
  });

  it('teardown sends TEARDOWN and ends the session', async () => {
    expect(await sent(() => driver.teardown())).to.deep.equal([{ framework_id: fw, type: 'TEARDOWN' }]);
    expect(driver.state).to.equal('torn-down');
    expect(() => driver.revive()).to.throw(/not subscribed/);
  });

  describe('invalid calls throw at the caller and send nothing', () => {
    const cases: [string, (d: SchedulerDriver) => void, RegExp][] = [
      ['no offer ids', (d) => d.decline([]), /invalid DECLINE call: offer_ids is empty/],
      ['the same offer twice', (d) => d.launch(['o1', 'o1'], [task('t1')]), /offer o1 is named twice/],
      ['a negative refuse_seconds', (d) => d.decline(['o1'], { refuse_seconds: -1 }), /refuse_seconds must be a finite number >= 0/],
      ['an infinite refuse_seconds', (d) => d.decline(['o1'], { refuse_seconds: Infinity }), /refuse_seconds/],
      ['the same task twice', (d) => d.launch(['o1'], [task('t1'), task('t1')]), /task t1 is launched twice/],
      ['an operation without its payload', (d) => d.accept(['o1'], [{ type: 'RESERVE' }]), /operations\[0\] is RESERVE but has no 'reserve' payload/],
      ['a task the schema rejects', (d) => d.launch(['o1'], [{ ...task('t1'), name: 7 } as unknown as TaskInfo]), /invalid ACCEPT call: .*name/],
      ['an empty task id', (d) => d.kill(''), /invalid KILL call/],
      ['an id that is not a string', (d) => d.kill(42 as unknown as string), /task_id must be a string or \{value: string\}/],
      ['an empty uuid', (d) => d.acknowledge('a1', 't1', ''), /invalid ACKNOWLEDGE call/],
      ['an empty role', (d) => d.suppress(['']), /invalid SUPPRESS call/],
    ];
    for (const [what, act, error] of cases) {
      it(`refuses ${what}`, async () => {
        expect(() => act(driver)).to.throw(InvalidCallError, error);
        await f.clock.settle();
        expect(f.master.nonSubscribeCalls()).to.deep.equal([]);
      });
    }
  });
});

describe('validateCall', () => {
  it('refuses a call whose payload does not match its type', () => {
    expect(() => validateCall({ framework_id: fw, type: 'DECLINE', accept: { offer_ids: [{ value: 'o1' }], operations: [] } }))
      .to.throw(InvalidCallError, /a DECLINE call needs its 'decline' payload/);
    expect(() => validateCall({ framework_id: fw, type: 'REVIVE', revive: {}, suppress: {} }))
      .to.throw(InvalidCallError, /a REVIVE call may not carry suppress/);
  });

  it('refuses a call other than SUBSCRIBE without framework_id', () => {
    expect(() => validateCall({ type: 'TEARDOWN' })).to.throw(InvalidCallError, /framework_id is required/);
  });

  it('refuses fields the schema does not know', () => {
    expect(() => validateCall({ framework_id: fw, type: 'TEARDOWN', extra: 1 } as never)).to.throw(InvalidCallError, /additional properties/);
  });

  it('passes a well-formed SUBSCRIBE without framework_id', () => {
    const call = { type: 'SUBSCRIBE' as const, subscribe: { framework_info: { user: 'u', name: 'n' } } };
    expect(validateCall(call)).to.equal(call);
  });
});
