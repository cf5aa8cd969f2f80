import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sweepTesseraCgroups } from '../src/index.js';

describe('sweeping the cgroups a test run left', () => {
  let mounts: string;
  beforeEach(() => {
    mounts = mkdtempSync(path.join(os.tmpdir(), 'tessera-cgroups-'));
    for (const hierarchy of ['pids', 'freezer']) {
      mkdirSync(path.join(mounts, hierarchy, 'tessera', 'agent1', 'container1'), { recursive: true });
      mkdirSync(path.join(mounts, hierarchy, 'tessera', 'agent1', 'busy'), { recursive: true });
      // A cgroup with processes refuses rmdir as a directory with a file does.
      writeFileSync(path.join(mounts, hierarchy, 'tessera', 'agent1', 'busy', 'cgroup.procs'), '123');
      mkdirSync(path.join(mounts, hierarchy, 'other', 'kept'), { recursive: true });
    }
  });
  afterEach(() => rmSync(mounts, { recursive: true, force: true }));

  it('leaves what was made before the run began', () => {
    expect(sweepTesseraCgroups(Date.now() + 60_000, mounts)).to.equal(0);
    expect(existsSync(path.join(mounts, 'pids', 'tessera', 'agent1', 'container1'))).to.equal(true);
  });

  it('removes the empty ones under tessera in every hierarchy, and leaves the busy ones, their parents and other trees', () => {
    expect(sweepTesseraCgroups(0, mounts)).to.equal(2);
    for (const hierarchy of ['pids', 'freezer']) {
      expect(existsSync(path.join(mounts, hierarchy, 'tessera', 'agent1', 'container1'))).to.equal(false);
      expect(existsSync(path.join(mounts, hierarchy, 'tessera', 'agent1', 'busy'))).to.equal(true);
      expect(existsSync(path.join(mounts, hierarchy, 'tessera'))).to.equal(true);
      expect(existsSync(path.join(mounts, hierarchy, 'other', 'kept'))).to.equal(true);
    }
  });
});
