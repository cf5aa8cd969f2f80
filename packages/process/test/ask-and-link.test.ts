import { expect } from 'chai';
import { AskTimeoutError, UndeliverableError } from '../src/errors.js';
import { Echo, Witness, memoryCluster } from './support.js';

describe('ask', () => {
  it('resolves with the typed reply', async () => {
    const { clock, runtimes: [a, b] } = await memoryCluster(['a', 'b']);
    const echo = b!.spawn(new Echo('echo'));
    const asker = a!.spawn(new Witness('asker'));
    const pong = asker.question(echo.pid, 41);
    await clock.settle();
    expect(await pong).to.deep.equal({ seq: 41 });
  });

  it('rejects with AskTimeoutError when no reply comes in time', async () => {
    const { clock, runtimes: [a, b] } = await memoryCluster(['a', 'b']);
    const silent = b!.spawn(new Witness('silent'));
    const asker = a!.spawn(new Witness('asker'));
    const pong = asker.question(silent.pid, 1, 500);
    await clock.settle();
    clock.advance(499);
    await clock.settle();
    let settled = false;
    pong.then(() => { settled = true; }, () => { settled = true; });
    await clock.settle();
    expect(settled, 'still waiting at 499 ms').to.equal(false);
    clock.advance(1);
    const err = await pong.catch((e: unknown) => e);
    expect(err).to.be.instanceOf(AskTimeoutError);
    expect((err as AskTimeoutError).timeoutMs).to.equal(500);
    expect((err as Error).message).to.equal('no reply to demo.Ping from silent@b within 500 ms');
  });

  it('fails fast with UndeliverableError when the target process does not exist', async () => {
    const { clock, runtimes: [a, b] } = await memoryCluster(['a', 'b']);
    const asker = a!.spawn(new Witness('asker'));
    const pong = asker.question('nobody@b', 1);
    await clock.settle();
    const err = await pong.catch((e: unknown) => e);
    expect(err).to.be.instanceOf(UndeliverableError);
    expect((err as Error).message).to.contain('no such process');
    expect(b!.metrics.get('process/messages_undeliverable')).to.equal(1);
    expect(a!.metrics.get('process/messages_undeliverable')).to.equal(1);
  });

  it('fails fast when the target node does not exist', async () => {
    const { clock, runtimes: [a] } = await memoryCluster(['a']);
    const pong = a!.ask('echo@ghost', 'demo.Ping', { seq: 1 }, { expect: 'demo.Pong' });
    await clock.settle();
    const err = await pong.catch((e: unknown) => e);
    expect(err).to.be.instanceOf(UndeliverableError);
    expect((err as Error).message).to.contain('no node ghost');
  });
});

describe('link', () => {
  it('reports a clean termination of a remote process once', async () => {
    const { clock, runtimes: [a, b] } = await memoryCluster(['a', 'b']);
    const echo = b!.spawn(new Echo('echo'));
    const watcher = a!.spawn(new Witness('watcher'));
    watcher.watch(echo.pid);
    await clock.settle();
    b!.terminate(echo.pid);
    await clock.settle();
    expect(watcher.exits).to.deep.equal([{ pid: 'echo@b', reason: 'terminated' }]);
  });

  it('reports a crashed node as node-lost', async () => {
    const { clock, network, runtimes: [a, b] } = await memoryCluster(['a', 'b']);
    const echo = b!.spawn(new Echo('echo'));
    const watcher = a!.spawn(new Witness('watcher'));
    watcher.watch(echo.pid);
    await clock.settle();
    network.crash('b');
    await clock.settle();
    expect(watcher.exits).to.deep.equal([{ pid: 'echo@b', reason: 'node-lost' }]);
  });

  it('probes a node: present while on the network, unknown when cut off, absent once crashed', async () => {
    const { network, runtimes: [a] } = await memoryCluster(['a', 'b']);
    expect(await a!.probeNode('b')).to.equal('present');
    expect(await a!.probeNode('nowhere')).to.equal('absent');
    network.disconnect('b');
    expect(await a!.probeNode('b'), 'a partition is silence, not absence').to.equal('unknown');
    network.reconnect('b');
    network.crash('b');
    expect(await a!.probeNode('b')).to.equal('absent');
    expect(await a!.probeNode('a')).to.equal('present');
  });

  it('reports a process that does not exist as no-such-process', async () => {
    const { clock, runtimes: [a, b] } = await memoryCluster(['a', 'b']);
    const watcher = a!.spawn(new Witness('watcher'));
    watcher.watch('ghost@b');
    watcher.watch('ghost@a');
    await clock.settle();
    expect(watcher.exits).to.have.deep.members([
      { pid: 'ghost@b', reason: 'no-such-process' },
      { pid: 'ghost@a', reason: 'no-such-process' },
    ]);
    expect(b!.processes()).to.deep.equal([]);
  });

  it('reports a local process terminating', async () => {
    const { clock, runtimes: [a] } = await memoryCluster(['a']);
    const echo = a!.spawn(new Echo('echo'));
    const watcher = a!.spawn(new Witness('watcher'));
    watcher.watch(echo.pid);
    a!.terminate(echo.pid);
    await clock.settle();
    expect(watcher.exits).to.deep.equal([{ pid: 'echo@a', reason: 'terminated' }]);
  });

  it('ends a two-way link with one Exited each way and no Unlink, and forgets the dead linker', async () => {
    const { clock, runtimes: [a, b] } = await memoryCluster(['a', 'b']);
    const sent: string[] = [];
    a!.addRecorder({ record: (direction, _t, message) => { if (direction === 'out') sent.push(message.type); } });
    b!.addRecorder({ record: (direction, _t, message) => { if (direction === 'out') sent.push(message.type); } });
    const executor = a!.spawn(new Witness('executor'));
    const agent = b!.spawn(new Witness('agent'));
    executor.watch(agent.pid);
    agent.watch(executor.pid);
    await clock.settle();
    sent.length = 0;
    a!.terminate(executor.pid);
    await clock.settle();
    expect(agent.exits).to.deep.equal([{ pid: 'executor@a', reason: 'terminated' }]);
    expect(sent).to.deep.equal(['process.Exited']);
    // The agent's node forgot the executor as a linker: the agent ending tells nobody.
    b!.terminate(agent.pid);
    await clock.settle();
    expect(sent).to.deep.equal(['process.Exited']);
  });

  it('reports nothing after unlink', async () => {
    const { clock, runtimes: [a, b] } = await memoryCluster(['a', 'b']);
    const echo = b!.spawn(new Echo('echo'));
    const watcher = a!.spawn(new Witness('watcher'));
    watcher.watch(echo.pid);
    await clock.settle();
    watcher.stopWatching(echo.pid);
    await clock.settle();
    b!.terminate(echo.pid);
    await clock.settle();
    expect(watcher.exits).to.deep.equal([]);
  });
});

describe('delay and terminate', () => {
  it('runs a delayed closure in the mailbox when the clock reaches it', async () => {
    const { clock, runtimes: [a] } = await memoryCluster(['a']);
    const witness = a!.spawn(new Witness('w'));
    witness.later(1_000, 'tick');
    clock.advance(999);
    await clock.settle();
    expect(witness.calls).to.deep.equal([]);
    clock.advance(1);
    await clock.settle();
    expect(witness.calls).to.deep.equal(['tick']);
  });

  it('cancels a terminated process\'s timers and drops later messages', async () => {
    const { clock, runtimes: [a] } = await memoryCluster(['a']);
    const witness = a!.spawn(new Witness('w'));
    witness.later(10, 'tick');
    a!.terminate(witness.pid);
    await a!.wait(witness.pid);
    clock.advance(100);
    a!.post(witness.pid, 'demo.Ping', { seq: 1 });
    await clock.settle();
    expect(witness.calls).to.deep.equal([]);
    expect(clock.pendingTimers()).to.equal(0);
    expect(a!.metrics.get('process/messages_undeliverable')).to.equal(1);
  });
});
