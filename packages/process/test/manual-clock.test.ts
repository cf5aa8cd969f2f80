import { expect } from 'chai';
import { ManualClock } from '../src/manual-clock.js';

describe('ManualClock', () => {
  it('fires timers only when advanced past their due time, in due order', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    clock.setTimer(30, () => fired.push('30'));
    clock.setTimer(10, () => fired.push('10'));
    clock.setTimer(10, () => fired.push('10 again'));
    clock.advance(9);
    expect(fired).to.deep.equal([]);
    clock.advance(21);
    expect(fired).to.deep.equal(['10', '10 again', '30']);
    expect(clock.now()).to.equal(30);
  });

  it('fires a timer set by a firing timer when it falls in the same window', () => {
    const clock = new ManualClock();
    const at: number[] = [];
    clock.setTimer(5, () => {
      at.push(clock.now());
      clock.setTimer(5, () => at.push(clock.now()));
    });
    clock.advance(20);
    expect(at).to.deep.equal([5, 10]);
  });

  it('does not fire a cancelled timer', () => {
    const clock = new ManualClock();
    let fired = false;
    clock.setTimer(1, () => { fired = true; }).cancel();
    clock.advance(10);
    expect(fired).to.equal(false);
    expect(clock.pendingTimers()).to.equal(0);
  });

  it('refuses to go backwards', () => {
    expect(() => new ManualClock().advance(-1)).to.throw(/cannot advance/);
  });

  it('settles at once with nothing attached', async () => {
    const clock = new ManualClock(100);
    await clock.settle();
    expect(clock.now()).to.equal(100);
  });
});
