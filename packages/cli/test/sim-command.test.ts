// `tessera sim` as a user runs it: simulated agents against a real master over a real
// nats-server, replaying a trace file, and clear errors for a bad trace or bad flags.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryLogger } from '@tessera/process';
import { startNatsServer, type NatsServer } from '@tessera/test-harness';
import { startMasterService, type MasterService } from '../src/services.js';

const TESSERA = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));

/** Runs `tessera <args>`; resolves with its exit code and output. */
function tessera(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TESSERA, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('tessera sim', () => {
  let nats: NatsServer | undefined;
  let master: MasterService | undefined;
  let dir = '';
  beforeEach(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-sim-cli-')); });
  afterEach(async () => {
    await master?.stop();
    master = undefined;
    await nats?.stop();
    nats = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('replays a trace file on 30 simulated agents and reports every task finished', async () => {
    nats = await startNatsServer();
    master = await startMasterService({ nats: nats.url, cluster: 'simcli' }, memoryLogger(), { allocationIntervalMs: 100 });
    const trace = path.join(dir, 'trace.jsonl');
    writeFileSync(trace, [
      '{"at_ms":0,"framework":"web","role":"prod","resources":"cpus:1;mem:512","duration_ms":300,"count":20}',
      '{"at_ms":200,"framework":"batch","role":"dev","resources":"cpus:2;mem:1024","duration_ms":100,"count":10}',
    ].join('\n'));
    const report = path.join(dir, 'report.json');
    const run = await tessera(['sim', '--agents', '30', '--resources', 'cpus:4;mem:4096', '--nats', nats.url, '--cluster', 'simcli', '--connections', '2',
      '--work-dir', path.join(dir, 'work'), '--trace', trace, '--report', report]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain('30 agents (cpus:4;mem:4096) on 2 NATS connection(s)');
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { sim: string; tasks: Record<string, number>; meanShares: Record<string, number> };
    expect(summary.sim).to.equal('trace');
    expect(summary.tasks).to.deep.equal({ launched: 30, running: 30, finished: 30, failed: 0 });
    expect(Object.keys(summary.meanShares).sort()).to.deep.equal(['dev', 'prod']);
    expect(master.process.state.agents.size).to.equal(30);
  });

  it('names the bad line of a trace and starts nothing', async () => {
    const trace = path.join(dir, 'bad.jsonl');
    writeFileSync(trace, '{"at_ms":0,"framework":"web","role":"prod","resources":"cpus:1","duration_ms":10}\n{"at_ms":"soon"}\n');
    const run = await tessera(['sim', '--agents', '5', '--nats', 'nats://127.0.0.1:1', '--trace', trace]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/bad\.jsonl: trace line 2: at_ms must be a number >= 0, got "soon"/);
  });

  it('refuses bad flags with one line each', async () => {
    const missing = await tessera(['sim', '--agents', '5', '--nats', 'nats://127.0.0.1:1', '--trace', path.join(dir, 'none.jsonl')]);
    expect([missing.code, missing.stderr]).to.deep.equal([1, `tessera: cannot read the trace ${path.join(dir, 'none.jsonl')}: ENOENT\n`]);
    const both = await tessera(['sim', '--agents', '5', '--nats', 'nats://127.0.0.1:1', '--trace', 'x', '--generate', '3']);
    expect([both.code, both.stderr]).to.deep.equal([1, 'tessera: give --trace or --generate, not both\n']);
    const agents = await tessera(['sim', '--agents', '0', '--nats', 'nats://127.0.0.1:1']);
    expect(agents.code).to.equal(1);
    expect(agents.stderr).to.contain("'0' is not a positive whole number");
  });
});
