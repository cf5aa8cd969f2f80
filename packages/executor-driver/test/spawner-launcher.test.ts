import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { SpawnerLauncher } from '../src/spawner-launcher.js';
import { commandLine } from '../src/command-line.js';
import { processLauncher, type LaunchSpec, type TaskExit, type TaskLauncher } from '../src/task-launcher.js';

function spec(dir: string, script: string): LaunchSpec {
  return { file: '/bin/sh', args: ['-c', script], cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, stdoutPath: path.join(dir, 'stdout'), stderrPath: path.join(dir, 'stderr') };
}

function run(launcher: TaskLauncher, launch: LaunchSpec): { handle: number | undefined; started: Promise<void>; exited: Promise<TaskExit> } {
  let started!: () => void;
  let exited!: (exit: TaskExit) => void;
  const result = { started: new Promise<void>((r) => { started = r; }), exited: new Promise<TaskExit>((r) => { exited = r; }) };
  const handle = launcher.launch(launch, (exit) => exited(exit), () => started());
  return { handle, ...result };
}

/** Polls `check` (on the event loop, no sleeps) until it holds or 5 s pass. */
async function until(check: () => boolean): Promise<boolean> {
  for (const deadline = performance.now() + 5_000; performance.now() < deadline;) {
    if (check()) return true;
    await new Promise((r) => setImmediate(r));
  }
  return check();
}

describe('SpawnerLauncher (tasks forked by a small child process)', function () {
  this.timeout(20_000);
  let dir: string;
  let launcher: SpawnerLauncher;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-spawner-'));
    launcher = new SpawnerLauncher();
  });
  afterEach(() => {
    launcher.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts a task in its sandbox, appends its output, and reports its exit code', async () => {
    const task = run(launcher, spec(dir, 'echo "in $(pwd)"; exit 4'));
    await task.started;
    expect(await task.exited).to.deep.equal({ code: 4, signal: null });
    expect(readFileSync(path.join(dir, 'stdout'), 'utf8')).to.equal(`in ${dir}\n`);
  });

  it('signals the task\'s whole process group through its handle', async () => {
    const task = run(launcher, spec(dir, 'sleep 600 & echo $! > child; wait'));
    await task.started;
    let child = 0;
    await until(() => {
      try { child = Number(readFileSync(path.join(dir, 'child'), 'utf8')); } catch { /* not yet written */ }
      return child > 0;
    });
    launcher.signalGroup(task.handle!, 'SIGTERM');
    expect(await task.exited).to.deep.equal({ code: null, signal: 'SIGTERM' });
    // Dead and reaped (a zombie still answers signal 0 until init collects it).
    expect(await until(() => { try { process.kill(child, 0); return false; } catch { return true; } })).to.equal(true);
  });

  it('reports a program that cannot be started as an error', async () => {
    const task = run(launcher, { ...spec(dir, ''), file: '/no/such/program', args: [] });
    const exit = await task.exited;
    expect('error' in exit ? exit.error.message : exit).to.match(/ENOENT/);
  });

  for (const [name, make] of [['the spawner', () => launcher], ['the in-process launcher', () => processLauncher]] as const) {
    it(`runs a plain command without a shell, and through the shell when it cannot be exec'd (${name})`, async () => {
      const direct = commandLine({ value: '/bin/echo plain words' });
      const ok = run(make(), { ...spec(dir, ''), ...(direct as LaunchSpec) });
      expect(await ok.exited).to.deep.equal({ code: 0, signal: null });
      expect(readFileSync(path.join(dir, 'stdout'), 'utf8')).to.equal('plain words\n');
      // Missing: the task fails as the shell has it fail, status 127 and the shell's message.
      const missing = run(make(), { ...spec(dir, ''), ...(commandLine({ value: '/no/such/program x' }) as LaunchSpec) });
      expect(await missing.exited).to.deep.equal({ code: 127, signal: null });
      expect(readFileSync(path.join(dir, 'stderr'), 'utf8')).to.match(/\/no\/such\/program: not found/);
    });
  }
});
