import { encodeEnvelope } from '@tessera/protocol';
import { expect } from 'chai';
import { Witness, memoryCluster } from './support.js';

/** A node that speaks raw bytes, to send what no well-behaved runtime would. */
async function rogueOn(network: Awaited<ReturnType<typeof memoryCluster>>['network'], clock: Awaited<ReturnType<typeof memoryCluster>>['clock']) {
  const rogue = network.transport('rogue');
  await rogue.start({ deliver: () => {}, nodeLost: () => {}, disconnected: () => {}, reconnected: () => {}, publishFailed: () => {} }, clock);
  return rogue;
}

describe('validation on receipt', () => {
  it('drops a body that fails its schema, logs type, sender and error, and keeps serving', async () => {
    const { clock, network, logger, runtimes: [a] } = await memoryCluster(['a']);
    const echo = a!.spawn(new Witness('echo'));
    const rogue = await rogueOn(network, clock);
    rogue.send('a', 'echo', encodeEnvelope({ type: 'demo.Ping', from: 'x@rogue', to: 'echo@a', id: '1', body: { seq: 'one' } }));
    rogue.send('a', 'echo', encodeEnvelope({ type: 'demo.Ping', from: 'x@rogue', to: 'echo@a', id: '2', body: { seq: 2 } }));
    await clock.settle();
    expect(echo.calls).to.deep.equal(['Ping 2 from x@rogue']);
    expect(a!.metrics.get('process/messages_dropped_invalid')).to.equal(1);
    const line = logger.lines.find((l) => l.message.startsWith('dropped an invalid message'));
    expect(line?.fields).to.include({ type: 'demo.Ping', from: 'x@rogue', error: 'invalid demo.Ping: body/seq must be integer' });
  });

  it('drops a message of an unknown type and counts it apart', async () => {
    const { clock, network, logger, runtimes: [a] } = await memoryCluster(['a']);
    a!.spawn(new Witness('echo'));
    const rogue = await rogueOn(network, clock);
    rogue.send('a', 'echo', encodeEnvelope({ type: 'demo.Nonsense', from: 'x@rogue', to: 'echo@a', id: '1', body: {} }));
    await clock.settle();
    expect(a!.metrics.get('process/messages_dropped_unknown_type')).to.equal(1);
    expect(logger.lines.some((l) => l.message.includes("unknown message type 'demo.Nonsense'"))).to.equal(true);
  });

  it('drops undecodable bytes and keeps serving', async () => {
    const { clock, network, runtimes: [a] } = await memoryCluster(['a']);
    const echo = a!.spawn(new Witness('echo'));
    const rogue = await rogueOn(network, clock);
    rogue.send('a', 'echo', new Uint8Array([0xc1, 0xff, 0x00]));
    rogue.send('a', 'echo', encodeEnvelope({ type: 'demo.Ping', from: 'x@rogue', to: 'echo@a', id: '2', body: { seq: 3 } }));
    await clock.settle();
    expect(a!.metrics.get('process/messages_dropped_undecodable')).to.equal(1);
    expect(echo.calls).to.deep.equal(['Ping 3 from x@rogue']);
  });

  it('drops an envelope with a missing field', async () => {
    const { clock, network, runtimes: [a] } = await memoryCluster(['a']);
    a!.spawn(new Witness('echo'));
    const rogue = await rogueOn(network, clock);
    rogue.send('a', 'echo', encodeEnvelope({ type: 'demo.Ping', to: 'echo@a', id: '1', body: { seq: 1 } } as never));
    await clock.settle();
    expect(a!.metrics.get('process/messages_dropped_invalid')).to.equal(1);
  });
});
