import { expect } from 'chai';
import { FakeMaster } from './fake-master.js';
import { fixture } from './support.js';
import { reconcileCallsAfterSubscribe } from '../src/reconciliation.js';
import { InvalidCallError } from '../src/errors.js';

type Fixture = Awaited<ReturnType<typeof fixture>>;

describe('reconciliation after every SUBSCRIBED', () => {
  let f: Fixture;
  beforeEach(async () => { f = await fixture(); });
  afterEach(async () => { await f.stop(); });

  /** The framework's own reconciliation is on by default; the fixture turns it off for other tests. */
  const on = { reconcileOnSubscribe: true };

  it('reconciles implicitly by default, once the subscribed callback has returned and before the answers arrive', async () => {
    // The master answers the implicit RECONCILE with an update, as it does for every task it knows.
    f.master.onCall = (call, from) => {
      if (call.type === 'RECONCILE' && call.reconcile!.tasks.length === 0) {
        f.master.event(from, { type: 'UPDATE', update: { status: { task_id: { value: 't1' }, state: 'TASK_RUNNING', source: 'SOURCE_MASTER', reason: 'REASON_RECONCILIATION' } } });
      }
    };
    const driver = f.makeDriver({ reconcileOnSubscribe: undefined });
    const started = driver.start();
    await f.clock.settle();
    await started;
    expect(f.master.nonSubscribeCalls()).to.deep.equal([{ framework_id: { value: 'fw-0001' }, type: 'RECONCILE', reconcile: { tasks: [] } }]);
    expect(f.seen.map((s) => s.name)).to.deep.equal(['subscribed', 'update']);
  });

  it('reconciles explicitly the tasks tasksToReconcile names (asked after each SUBSCRIBED), then implicitly', async () => {
    let asked = 0;
    const tasksToReconcile = async () => {
      asked += 1;
      return [{ task_id: 't1', agent_id: { value: 'a1' } }, { task_id: { value: 't2' } }];
    };
    await f.subscribed({ ...on, tasksToReconcile });
    expect(asked).to.equal(1);
    expect(f.master.nonSubscribeCalls().map((c) => c.reconcile)).to.deep.equal([
      { tasks: [{ task_id: { value: 't1' }, agent_id: { value: 'a1' } }, { task_id: { value: 't2' } }] },
      { tasks: [] },
    ]);
    f.masterRuntime.terminate('master@master');
    await f.clock.settle();
    const next = f.masterRuntime.spawn(new FakeMaster());
    await f.advance(3_000, 100);
    expect(asked).to.equal(2);
    expect(next.calls.map((c) => c.call.type)).to.deep.equal(['SUBSCRIBE', 'RECONCILE', 'RECONCILE']);
  });

  it('sends no RECONCILE after SUBSCRIBED with reconcileOnSubscribe false', async () => {
    let asked = 0;
    await f.subscribed({ reconcileOnSubscribe: false, tasksToReconcile: () => { asked += 1; return []; } });
    await f.advance(5_000, 1_000);
    expect(f.master.nonSubscribeCalls()).to.deep.equal([]);
    expect(asked).to.equal(0);
  });

  it('reconciles implicitly only, and logs why, when tasksToReconcile throws or names a bad task', async () => {
    await f.subscribed({ ...on, tasksToReconcile: () => { throw new Error('the store is down'); } });
    await f.subscribed({ ...on, name: 'second', tasksToReconcile: () => [{ task_id: 7 as never }] });
    expect(f.master.nonSubscribeCalls().map((c) => c.reconcile)).to.deep.equal([{ tasks: [] }, { tasks: [] }]);
    expect(f.logger.lines.some((l) => l.level === 'error' && l.message.includes('the store is down'))).to.equal(true);
    expect(f.logger.lines.some((l) => l.level === 'error' && l.message.includes('named a bad task'))).to.equal(true);
  });
});

describe('reconcileCallsAfterSubscribe', () => {
  it('is the implicit call alone when the framework names no task', () => {
    expect(reconcileCallsAfterSubscribe('fw', [])).to.deep.equal([{ framework_id: { value: 'fw' }, type: 'RECONCILE', reconcile: { tasks: [] } }]);
  });

  it('is the explicit call for the tasks named, then the implicit one', () => {
    const calls = reconcileCallsAfterSubscribe('fw', [{ task_id: 't1' }]);
    expect(calls.map((c) => c.reconcile!.tasks)).to.deep.equal([[{ task_id: { value: 't1' } }], []]);
  });

  it('throws InvalidCallError for a task id that is not an id', () => {
    expect(() => reconcileCallsAfterSubscribe('fw', [{ task_id: 3 as never }])).to.throw(InvalidCallError, /tasks\[0\].task_id/);
  });
});
