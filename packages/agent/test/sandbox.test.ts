import { expect } from 'chai';
import { mkdtempSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSandbox, sandboxPath } from '../src/sandbox.js';

describe('sandboxes', () => {
  let workDir: string;
  beforeEach(() => { workDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-sandbox-')); });
  afterEach(() => rmSync(workDir, { recursive: true, force: true }));

  it('makes a first run\'s directories and points runs/latest at it', async () => {
    const run = sandboxPath(workDir, 'S1', 'F1', 'ex', 'r1');
    await createSandbox(run);
    expect(statSync(run).isDirectory()).to.equal(true);
    expect(readlinkSync(path.join(path.dirname(run), 'latest'))).to.equal('r1');
  });

  it('moves runs/latest to a later run of the same executor', async () => {
    await createSandbox(sandboxPath(workDir, 'S1', 'F1', 'ex', 'r1'));
    const second = sandboxPath(workDir, 'S1', 'F1', 'ex', 'r2');
    await createSandbox(second);
    expect(readlinkSync(path.join(path.dirname(second), 'latest'))).to.equal('r2');
    expect(statSync(sandboxPath(workDir, 'S1', 'F1', 'ex', 'r1')).isDirectory()).to.equal(true);
  });

  it('rejects when a level of the path is a file', async () => {
    const executors = path.join(workDir, 'agents', 'S1', 'frameworks', 'F1', 'executors');
    await createSandbox(sandboxPath(workDir, 'S1', 'F1', 'other', 'r1'));
    writeFileSync(path.join(executors, 'ex'), 'not a directory');
    const error = await createSandbox(sandboxPath(workDir, 'S1', 'F1', 'ex', 'r1')).then(() => undefined, (e: Error) => e);
    expect(error?.message).to.match(/ENOTDIR|EEXIST/);
  });
});
