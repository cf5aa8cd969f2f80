// The simulation's shared connections: publishes of many nodes leave together at the end of the
// turn, in order, and a flush sends what waits before it flushes the connection.
import { expect } from 'chai';
import type { NatsConnection, PublishOptions } from '@nats-io/transport-node';
import { batchingPublishes } from '../src/sim/sim-network.js';

/** A stand-in connection that records each publish and flush, and how many turns they took. */
function recorder(): { connection: NatsConnection; log: string[] } {
  const log: string[] = [];
  const connection = {
    publish: (subject: string, data?: Uint8Array, options?: PublishOptions) => {
      log.push(`publish ${subject} ${data?.length ?? 0}${options?.reply === undefined ? '' : ` reply ${options.reply}`}`);
    },
    flush: async () => { log.push('flush'); },
    isClosed: () => false,
  } as unknown as NatsConnection;
  return { connection, log };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('batchingPublishes', () => {
  it('holds publishes until the end of the turn, then sends them all in order', async () => {
    const { connection, log } = recorder();
    const shared = batchingPublishes(connection);
    shared.publish('a.1', new Uint8Array(1));
    shared.publish('b.1');
    shared.publish('a.2', new Uint8Array(2), { reply: 'inbox.1' });
    expect(log).to.deep.equal([]);
    await turn();
    expect(log).to.deep.equal(['publish a.1 1', 'publish b.1 0', 'publish a.2 2 reply inbox.1']);
  });

  it('sends what waits before a flush, and passes anything else through', async () => {
    const { connection, log } = recorder();
    const shared = batchingPublishes(connection);
    shared.publish('x');
    await shared.flush();
    expect(log).to.deep.equal(['publish x 0', 'flush']);
    expect(shared.isClosed()).to.equal(false);
    await turn();
    expect(log).to.have.length(2); // nothing sent twice
  });
});
