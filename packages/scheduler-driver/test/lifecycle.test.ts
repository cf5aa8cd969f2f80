import { expect } from 'chai';
import { Random } from '@tessera/process';
import { SUBSCRIBE_BACKOFF_MAX_MS, nextState, subscribeBackoff } from '../src/lifecycle.js';

describe('driver lifecycle', () => {
  it('goes idle -> subscribing -> subscribed on start and SUBSCRIBED', () => {
    expect(nextState('idle', 'start')).to.equal('subscribing');
    expect(nextState('subscribing', 'subscribed')).to.equal('subscribed');
  });

  it('goes back to subscribing when the master is lost, keeping the framework alive', () => {
    expect(nextState('subscribed', 'master-lost')).to.equal('subscribing');
  });

  it('ends in aborted on ERROR, whether subscribing or subscribed', () => {
    expect(nextState('subscribing', 'refused')).to.equal('aborted');
    expect(nextState('subscribed', 'refused')).to.equal('aborted');
  });

  it('allows teardown only while subscribed', () => {
    expect(nextState('subscribed', 'teardown')).to.equal('torn-down');
    expect(nextState('subscribing', 'teardown')).to.equal(undefined);
  });

  it('stops from every state but stopped, and ignores everything once stopped', () => {
    for (const state of ['idle', 'subscribing', 'subscribed', 'aborted', 'torn-down'] as const) expect(nextState(state, 'stop')).to.equal('stopped');
    for (const input of ['start', 'subscribed', 'refused', 'master-lost', 'teardown', 'stop'] as const) expect(nextState('stopped', input)).to.equal(undefined);
  });

  it('ignores a duplicate SUBSCRIBED and a lost master it was not subscribed with', () => {
    expect(nextState('subscribed', 'subscribed')).to.equal(undefined);
    expect(nextState('subscribing', 'master-lost')).to.equal(undefined);
  });
});

describe('subscribeBackoff', () => {
  it('waits in the upper half of a bound that starts at 1 s and doubles', () => {
    // bound 1 s, 2 s, 4 s, 8 s: the lowest random gives half the bound, the highest nearly all of it.
    expect([0, 1, 2, 3].map((n) => subscribeBackoff(n, () => 0))).to.deep.equal([500, 1_000, 2_000, 4_000]);
    expect([0, 1, 2, 3].map((n) => subscribeBackoff(n, () => 0.999_999))).to.deep.equal([1_000, 2_000, 4_000, 8_000]);
  });

  it('caps the bound at 30 s however many attempts failed', () => {
    for (const attempt of [5, 6, 10, 100, 1e9]) {
      expect(subscribeBackoff(attempt, () => 0.999_999)).to.equal(SUBSCRIBE_BACKOFF_MAX_MS);
      expect(subscribeBackoff(attempt, () => 0)).to.equal(SUBSCRIBE_BACKOFF_MAX_MS / 2);
    }
  });

  it('spreads retries of one attempt over its window (jitter)', () => {
    const random = new Random(42);
    const delays = new Set(Array.from({ length: 50 }, () => subscribeBackoff(4, () => random.next())));
    expect(delays.size).to.be.greaterThan(40);
    for (const d of delays) expect(d).to.be.within(8_000, 16_000);
  });
});
