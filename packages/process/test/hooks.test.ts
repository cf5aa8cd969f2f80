import { expect } from 'chai';
import { Echo, Witness, memoryCluster } from './support.js';

describe('message hooks', () => {
  it('futureMessage resolves with the next matching message and still delivers it', async () => {
    const { clock, runtimes: [a, b] } = await memoryCluster(['a', 'b']);
    const witness = b!.spawn(new Witness('w'));
    const future = b!.hooks.futureMessage({ type: 'demo.Ping', to: witness.pid });
    a!.post(witness.pid, 'demo.Ping', { seq: 9 });
    await clock.settle();
    const message = await future;
    expect(message.body).to.deep.equal({ seq: 9 });
    expect(message.from).to.equal('_post@a');
    expect(witness.calls).to.deep.equal(['Ping 9 from _post@a']);
  });

  it('dropMessage drops only the next match', async () => {
    const { clock, runtimes: [a] } = await memoryCluster(['a']);
    const witness = a!.spawn(new Witness('w'));
    const dropped = a!.hooks.dropMessage({ type: 'demo.Ping' });
    a!.post(witness.pid, 'demo.Ping', { seq: 1 });
    a!.post(witness.pid, 'demo.Ping', { seq: 2 });
    await clock.settle();
    expect((await dropped).body).to.deep.equal({ seq: 1 });
    expect(witness.calls).to.deep.equal(['Ping 2 from _post@a']);
    expect(a!.metrics.get('process/messages_dropped_by_filter')).to.equal(1);
  });

  it('dropMessages drops every match from one sender until removed', async () => {
    const { clock, runtimes: [a] } = await memoryCluster(['a']);
    const witness = a!.spawn(new Witness('w'));
    const other = a!.spawn(new Witness('other'));
    const hook = a!.hooks.dropMessages({ from: other.pid });
    other.tell(witness.pid, 1);
    a!.post(witness.pid, 'demo.Ping', { seq: 2 });
    other.tell(witness.pid, 3);
    await clock.settle();
    expect(hook.matched).to.equal(2);
    hook.remove();
    other.tell(witness.pid, 4);
    await clock.settle();
    expect(witness.calls).to.deep.equal(['Ping 2 from _post@a', 'Ping 4 from other@a']);
  });

  it('delayMessages holds matches for the given time on the runtime clock', async () => {
    const { clock, runtimes: [a] } = await memoryCluster(['a']);
    const witness = a!.spawn(new Witness('w'));
    a!.hooks.delayMessages({ type: 'demo.Ping', to: witness.pid }, 100);
    a!.post(witness.pid, 'demo.Ping', { seq: 1 });
    await clock.settle();
    expect(witness.calls).to.deep.equal([]);
    clock.advance(100);
    await clock.settle();
    expect(witness.calls).to.deep.equal(['Ping 1 from _post@a']);
  });

  it('dropping a reply makes the ask time out', async () => {
    const { clock, runtimes: [a, b] } = await memoryCluster(['a', 'b']);
    const echo = b!.spawn(new Echo('echo'));
    a!.hooks.dropMessages({ type: 'demo.Pong' });
    const pong = a!.ask(echo.pid, 'demo.Ping', { seq: 1 }, { expect: 'demo.Pong', timeoutMs: 50 });
    await clock.settle();
    clock.advance(50);
    const err = await pong.catch((e: unknown) => e);
    expect((err as Error).name).to.equal('AskTimeoutError');
  });
});
