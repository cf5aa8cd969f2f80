import { expect } from 'chai';
import { LeaderTracker } from '../src/index.js';

const record = (pid: string, epoch: number) => ({ pid, epoch, contender: pid, lease_ms: 1_000 });

describe('LeaderTracker: which master a follower listens to', () => {
  it('takes the leader the detector reports and ignores an older report', () => {
    const tracker = new LeaderTracker();
    expect(tracker.learn(record('master@a', 2))).to.equal(true);
    expect(tracker.learn(record('master@b', 1))).to.equal(false);
    expect(tracker.learn(record('master@a', 2))).to.equal(false);
    expect(tracker.pid).to.equal('master@a');
    expect(tracker.epoch).to.equal(2);
  });

  it('admits the leader at its epoch, refuses a stale epoch and another pid at the same epoch', () => {
    const tracker = new LeaderTracker(record('master@a', 2));
    expect(tracker.admits('master@a', 2)).to.deep.equal({ ok: true, changed: false });
    const stale = tracker.admits('master@a', 1);
    expect(stale.ok).to.equal(false);
    expect(stale.ok ? '' : stale.why).to.match(/stale epoch 1/);
    const other = tracker.admits('master@b', 2);
    expect(other.ok ? '' : other.why).to.match(/the leader is master@a/);
    expect(tracker.admits('master@a', undefined).ok).to.equal(false);
  });

  it('follows a later epoch from a new pid before the detector says so', () => {
    const tracker = new LeaderTracker(record('master@a', 2));
    expect(tracker.admits('master@b', 3)).to.deep.equal({ ok: true, changed: true });
    expect(tracker.pid).to.equal('master@b');
    expect(tracker.admits('master@a', 2).ok).to.equal(false);
  });
});
