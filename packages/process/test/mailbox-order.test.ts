import { expect } from 'chai';
import { Process } from '../src/process.js';
import { Echo, Witness, memoryCluster } from './support.js';

describe('mailbox order and concurrency', () => {
  it('runs a process\'s handlers one at a time in arrival order', async () => {
    const { clock, runtimes: [a, b] } = await memoryCluster(['a', 'b']);
    const witness = b!.spawn(new Witness('witness'));
    for (let seq = 0; seq < 1000; seq += 1) a!.post(witness.pid, 'demo.Ping', { seq });
    await clock.settle();
    expect(witness.calls).to.have.length(1000);
    expect(witness.calls.map((c) => Number(c.split(' ')[1]))).to.deep.equal([...Array(1000).keys()]);
  });

  it('holds the mailbox while an async handler is pending', async () => {
    const { clock, runtimes: [a] } = await memoryCluster(['a']);
    const log: string[] = [];
    let release!: () => void;
    class Slow extends Process {
      protected initialize(): void {
        this.install('demo.Ping', async (ping) => {
          log.push(`start ${ping.seq}`);
          if (ping.seq === 0) await new Promise<void>((resolve) => { release = resolve; });
          log.push(`end ${ping.seq}`);
        });
      }
    }
    const slow = a!.spawn(new Slow('slow'));
    a!.post(slow.pid, 'demo.Ping', { seq: 0 });
    a!.post(slow.pid, 'demo.Ping', { seq: 1 });
    await clock.settle();
    expect(log).to.deep.equal(['start 0']);
    release();
    await clock.settle();
    expect(log).to.deep.equal(['start 0', 'end 0', 'start 1', 'end 1']);
  });

  it('lets other processes run while one waits', async () => {
    const { clock, runtimes: [a] } = await memoryCluster(['a']);
    class Stuck extends Process {
      protected initialize(): void {
        this.install('demo.Ping', () => new Promise<void>(() => {}));
      }
    }
    const stuck = a!.spawn(new Stuck('stuck'));
    const echo = a!.spawn(new Echo('echo'));
    a!.post(stuck.pid, 'demo.Ping', { seq: 1 });
    const pong = a!.ask(echo.pid, 'demo.Ping', { seq: 2 }, { expect: 'demo.Pong' });
    await clock.settle();
    expect(await pong).to.deep.equal({ seq: 2 });
  });

  it('keeps running after a handler throws, and counts the failure', async () => {
    const { clock, logger, runtimes: [a] } = await memoryCluster(['a']);
    const seen: number[] = [];
    class Fragile extends Process {
      protected initialize(): void {
        this.install('demo.Ping', (ping) => {
          if (ping.seq === 1) throw new Error('boom');
          seen.push(ping.seq);
        });
      }
    }
    const fragile = a!.spawn(new Fragile('fragile'));
    for (const seq of [0, 1, 2]) a!.post(fragile.pid, 'demo.Ping', { seq });
    await clock.settle();
    expect(seen).to.deep.equal([0, 2]);
    expect(a!.metrics.get('process/handler_errors')).to.equal(1);
    expect(logger.lines.some((l) => l.level === 'error' && l.message.includes('boom'))).to.equal(true);
  });

  it('serializes dispatched closures with message handlers', async () => {
    const { clock, runtimes: [a] } = await memoryCluster(['a']);
    const witness = a!.spawn(new Witness('w'));
    a!.post(witness.pid, 'demo.Ping', { seq: 1 });
    const count = a!.dispatch(witness.pid, () => witness.calls.length);
    await clock.settle();
    expect(await count).to.equal(1);
  });

  it('refuses a second process with the same name on a node', async () => {
    const { runtimes: [a] } = await memoryCluster(['a']);
    a!.spawn(new Echo('echo'));
    expect(() => a!.spawn(new Echo('echo'))).to.throw(/already runs/);
  });
});
