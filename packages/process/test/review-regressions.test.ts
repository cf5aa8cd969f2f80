import { expect } from 'chai';
import { MemoryRecorder } from '../src/recorder.js';
import { Process } from '../src/process.js';
import { Echo, Witness, memoryCluster } from './support.js';

describe('runtime edge cases', () => {
  it('never runs two handlers of one process at once, even when a handler sends to itself', async () => {
    const { clock, runtimes: [a] } = await memoryCluster(['a']);
    const log: string[] = [];
    let active = 0;
    let release!: () => void;
    class SelfSender extends Process {
      protected initialize(): void {
        this.install('demo.Ping', async (ping) => {
          active += 1;
          log.push(`start ${ping.seq} (${active} active)`);
          if (ping.seq === 1) this.send(this.pid, 'demo.Ping', { seq: 3 });
          if (ping.seq === 2) await new Promise<void>((resolve) => { release = resolve; });
          log.push(`end ${ping.seq}`);
          active -= 1;
        });
      }
    }
    const p = a!.spawn(new SelfSender('self'));
    a!.post(p.pid, 'demo.Ping', { seq: 1 });
    a!.post(p.pid, 'demo.Ping', { seq: 2 });
    await clock.settle();
    release();
    await clock.settle();
    expect(log).to.deep.equal(['start 1 (1 active)', 'end 1', 'start 2 (1 active)', 'end 2', 'start 3 (1 active)', 'end 3']);
  });

  it('rejects a dispatch still queued when its process terminates', async () => {
    const { clock, runtimes: [a] } = await memoryCluster(['a']);
    const w = a!.spawn(new Witness('w'));
    a!.terminate(w.pid);
    const result = a!.dispatch(w.pid, () => 1);
    await clock.settle();
    const err = await result.catch((e: unknown) => e);
    expect((err as Error).message).to.equal('process w@a terminated');
  });

  it('fails an ask still queued at a process terminated immediately, instead of letting it time out', async () => {
    const { clock, runtimes: [a, b] } = await memoryCluster(['a', 'b']);
    // Terminated the instant the ping is queued in its mailbox, before it is served.
    const witness = b!.spawn(new Witness('w'));
    const stuck = a!.ask(witness.pid, 'demo.Ping', { seq: 2 }, { expect: 'demo.Pong', timeoutMs: 60_000 });
    b!.hooks.futureMessage({ type: 'demo.Ping', to: witness.pid }).then(() => b!.terminate(witness.pid, { immediately: true }));
    await clock.settle();
    const err = await stuck.catch((e: unknown) => e);
    expect((err as Error).name).to.equal('UndeliverableError');
    expect((err as Error).message).to.contain('terminated');
  });

  it('refuses to let a handler abandoned by terminate act under its old name', async () => {
    const { clock, logger, runtimes: [a] } = await memoryCluster(['a']);
    let release!: () => void;
    class Lingering extends Process {
      protected initialize(): void {
        this.install('demo.Ping', async () => {
          await new Promise<void>((resolve) => { release = resolve; });
          this.send('n@a', 'demo.Ping', { seq: 99 });
        });
      }
    }
    const old = a!.spawn(new Lingering('n'));
    a!.post(old.pid, 'demo.Ping', { seq: 1 });
    await clock.settle();
    a!.terminate(old.pid, { immediately: true });
    const successor = a!.spawn(new Witness('n'));
    release();
    await clock.settle();
    expect(successor.calls).to.deep.equal([]);
    expect(logger.lines.some((l) => l.level === 'error' && l.message.includes('process n@a is terminated'))).to.equal(true);
  });

  it('settle fires timers due now', async () => {
    const { clock, runtimes: [a] } = await memoryCluster(['a']);
    const w = a!.spawn(new Witness('w'));
    w.later(0, 'at once');
    await clock.settle();
    expect(w.calls).to.deep.equal(['at once']);
  });

  it('drops and counts a reply that arrives after its ask timed out', async () => {
    const { clock, runtimes: [a, b] } = await memoryCluster(['a', 'b']);
    const echo = b!.spawn(new Echo('echo'));
    const asker = a!.spawn(new Witness('asker'));
    b!.hooks.delayMessages({ type: 'demo.Ping' }, 100);
    const pong = asker.question(echo.pid, 9, 50);
    await clock.settle();
    clock.advance(50);
    expect((await pong.catch((e: unknown) => e) as Error).name).to.equal('AskTimeoutError');
    clock.advance(50);
    await clock.settle();
    expect(asker.calls).to.deep.equal([]);
    expect(a!.metrics.get('process/replies_late')).to.equal(1);
  });

  it('forgets linkers on a node that is lost, so it never writes to them again', async () => {
    const { clock, network, runtimes: [a, b] } = await memoryCluster(['a', 'b']);
    const echo = b!.spawn(new Echo('echo'));
    const watcher = a!.spawn(new Witness('watcher'));
    watcher.watch(echo.pid);
    await clock.settle();
    const sent = new MemoryRecorder('b');
    b!.addRecorder(sent);
    network.crash('a');
    await clock.settle();
    b!.terminate(echo.pid);
    await clock.settle();
    expect(sent.records.filter((r) => r.message.type === 'process.Exited')).to.deep.equal([]);
  });

  it('refuses to link to something that is not a pid', async () => {
    const { runtimes: [a] } = await memoryCluster(['a']);
    const w = a!.spawn(new Witness('w'));
    expect(() => w.watch('not a pid')).to.throw(/not a pid/);
  });

  it('fails an ask made after stop at once', async () => {
    const { runtimes: [a] } = await memoryCluster(['a']);
    await a!.stop();
    const err = await a!.ask('echo@a', 'demo.Ping', { seq: 1 }, { expect: 'demo.Pong' }).catch((e: unknown) => e);
    expect((err as Error).message).to.contain('stopped');
  });

  it('refuses a message larger than a transport can carry, and sends nothing', async () => {
    const { runtimes: [a] } = await memoryCluster(['a']);
    const w = a!.spawn(new Witness('w'));
    expect(() => a!.post(w.pid, 'demo.Ping', { seq: 1, text: 'x'.repeat(9_999) })).to.not.throw();
    const huge = { offers: Array.from({ length: 3_000 }, (_, i) => ({
      id: { value: `o${i}` }, framework_id: { value: 'f' }, agent_id: { value: 'a' }, hostname: 'h'.repeat(500), resources: [],
    })) };
    const before = a!.metrics.get('process/messages_sent');
    expect(() => a!.post(w.pid, 'master.ResourceOffers', huge)).to.throw(/over the 1000000-byte limit/);
    expect(a!.metrics.get('process/messages_sent')).to.equal(before);
  });
});
