import { expect } from 'chai';
import { executorPlacement, spawnerSocket } from '../src/executor-placement.js';

describe('executor placement', () => {
  it('takes resident or host-process for --executors, and refuses anything else naming both', () => {
    expect(executorPlacement('resident')).to.equal('resident');
    expect(executorPlacement('host-process')).to.equal('host-process');
    expect(() => executorPlacement('docker')).to.throw(/expected one of resident, host-process/);
  });

  it('names one spawner socket per work dir and node, the same after a restart, in the abstract namespace', () => {
    const socket = spawnerSocket('/var/lib/tessera', 'agent-a');
    expect(socket).to.match(/^@tessera-spawner-[0-9a-f]{32}$/);
    expect(spawnerSocket('/var/lib/tessera/', 'agent-a'), 'the same dir written another way').to.equal(socket);
    expect(spawnerSocket('/var/lib/tessera', 'agent-b')).to.not.equal(socket);
    expect(spawnerSocket('/srv/tessera', 'agent-a')).to.not.equal(socket);
  });
});
