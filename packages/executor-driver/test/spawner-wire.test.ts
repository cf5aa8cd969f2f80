import { expect } from 'chai';
import type { Socket } from 'node:net';
import { TurnWriter } from '../src/spawner-wire.js';

/** A socket that records each write call. */
function recordingSocket(): { socket: Socket; writes: string[] } {
  const writes: string[] = [];
  const socket = { destroyed: false, write: (text: string) => { writes.push(text); return true; } } as unknown as Socket;
  return { socket, writes };
}

describe('the spawner wire\'s TurnWriter', () => {
  it('writes a turn\'s lines in one call at the end of the turn, in order', async () => {
    const { socket, writes } = recordingSocket();
    const writer = new TurnWriter(socket);
    writer.write('a\n');
    writer.write('b\n');
    expect(writes).to.deep.equal([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).to.deep.equal(['a\nb\n']);
    writer.write('c\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).to.deep.equal(['a\nb\n', 'c\n']);
  });

  it('writes what is gathered at once on flush, and nothing twice', async () => {
    const { socket, writes } = recordingSocket();
    const writer = new TurnWriter(socket);
    writer.write('shutdown\n');
    writer.flush();
    expect(writes).to.deep.equal(['shutdown\n']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).to.deep.equal(['shutdown\n']);
  });
});
