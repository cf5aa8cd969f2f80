import { expect } from 'chai';
import { SharedComputation } from '../src/index.js';

describe('SharedComputation', () => {
  /** A defer that runs only when the test says: the end of an event-loop turn, by hand. */
  function manualDefer(): { defer: (fn: () => void) => void; endTurn: () => void } {
    const queued: (() => void)[] = [];
    return { defer: (fn) => { queued.push(fn); }, endTurn: () => { for (const fn of queued.splice(0)) fn(); } };
  }

  it('builds once for every request of a key made in the same turn, and starts only at its end', async () => {
    const { defer, endTurn } = manualDefer();
    const shared = new SharedComputation<string>(defer);
    let builds = 0;
    const compute = async () => `state #${++builds}`;
    const answers = [shared.get('state', compute), shared.get('state', compute), shared.get('state', compute)];
    expect(builds).to.equal(0);
    endTurn();
    expect(await Promise.all(answers)).to.deep.equal(['state #1', 'state #1', 'state #1']);
    expect(builds).to.equal(1);
  });

  it('builds again for a request made after the build finished, and apart for another key', async () => {
    const { defer, endTurn } = manualDefer();
    const shared = new SharedComputation<string>(defer);
    let builds = 0;
    const compute = async () => `#${++builds}`;
    const first = shared.get('state', compute);
    const other = shared.get('tasks?limit=1', compute);
    endTurn();
    expect([await first, await other]).to.deep.equal(['#1', '#2']);
    expect(shared.size).to.equal(0);
    const later = shared.get('state', compute);
    endTurn();
    expect(await later).to.equal('#3');
  });

  it('gives every waiter the failure of a failed build, and forgets it', async () => {
    const { defer, endTurn } = manualDefer();
    const shared = new SharedComputation<string>(defer);
    const failing = [shared.get('state', async () => { throw new Error('master stopped'); }), shared.get('state', async () => 'unused')];
    endTurn();
    for (const answer of failing) await answer.then(() => expect.fail('should fail'), (err: Error) => expect(err.message).to.equal('master stopped'));
    expect(shared.size).to.equal(0);
  });
});
