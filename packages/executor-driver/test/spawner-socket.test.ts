import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { SpawnerLauncher } from '../src/spawner-launcher.js';
import type { LaunchSpec, TaskExit } from '../src/task-launcher.js';

function spec(dir: string, script: string, key: string): LaunchSpec {
  return { file: '/bin/sh', args: ['-c', script], cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, stdoutPath: path.join(dir, 'stdout'), stderrPath: path.join(dir, 'stderr'), key };
}

/** Polls `check` (on the event loop, no sleeps) until it holds or 10 s pass. */
async function until(check: () => boolean): Promise<boolean> {
  for (const deadline = performance.now() + 10_000; performance.now() < deadline;) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return check();
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z');
  } catch {
    return false;
  }
};

/**
 * The agent's own spawner: detached on a socket, it outlives the launcher that started it (an
 * agent SIGKILLed), keeps the ends of tasks meanwhile, and a later launcher adopts its tasks.
 */
describe('SpawnerLauncher on a socket (a spawner that outlives its agent)', function () {
  this.timeout(30_000);
  let dir: string;
  let socket: string;
  const launchers: SpawnerLauncher[] = [];
  const launcher = (): SpawnerLauncher => {
    const made = new SpawnerLauncher({ socket, abandonMs: 20_000 });
    launchers.push(made);
    return made;
  };
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-spawner-socket-'));
    socket = `@tessera-spawner-test-${process.pid}-${path.basename(dir)}`;
  });
  afterEach(() => {
    for (const made of launchers.splice(0)) made.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a task running when its launcher goes, and a new launcher adopts it and hears its exit code', async () => {
    const first = launcher();
    let started = false;
    first.launch(spec(dir, 'while [ ! -e go ]; do sleep 0.05; done; exit 7', 'run-1#t1'), () => undefined, () => { started = true; });
    expect(await until(() => started), 'started').to.equal(true);
    const spawnerPid = first.spawnerPid!;
    first.close();
    expect(alive(spawnerPid), 'the spawner outlives its launcher while a task runs').to.equal(true);
    const second = launcher();
    let exit: TaskExit | undefined;
    second.adopt('run-1#t1', (e) => { exit = e; });
    writeFileSync(path.join(dir, 'go'), '');
    expect(await until(() => exit !== undefined), 'exit heard').to.equal(true);
    expect(exit).to.deep.equal({ code: 7, signal: null });
  });

  it('keeps the exit of a task that ended while no launcher was there, for the next one', async () => {
    const first = launcher();
    let started = false;
    first.launch(spec(dir, 'echo $$ > pid; while [ ! -e go ]; do sleep 0.05; done; exit 3', 'run-2#t1'), () => undefined, () => { started = true; });
    expect(await until(() => started && existsSync(path.join(dir, 'pid')))).to.equal(true);
    const taskPid = Number(readFileSync(path.join(dir, 'pid'), 'utf8'));
    first.close();
    writeFileSync(path.join(dir, 'go'), '');
    // The task ends (and the spawner reaps it) with nobody attached; then a restarted agent asks.
    expect(await until(() => !alive(taskPid)), 'the task ended').to.equal(true);
    const second = launcher();
    let exit: TaskExit | undefined;
    second.adopt('run-2#t1', (e) => { exit = e; });
    expect(await until(() => exit !== undefined)).to.equal(true);
    expect(exit).to.deep.equal({ code: 3, signal: null });
  });

  it('kills an adopted task through its new handle', async () => {
    const first = launcher();
    let started = false;
    first.launch(spec(dir, 'exec sleep 600', 'run-3#t1'), () => undefined, () => { started = true; });
    expect(await until(() => started)).to.equal(true);
    first.close();
    const second = launcher();
    let exit: TaskExit | undefined;
    const handle = second.adopt('run-3#t1', (e) => { exit = e; });
    second.signalGroup(handle, 'SIGKILL');
    expect(await until(() => exit !== undefined)).to.equal(true);
    expect(exit).to.deep.equal({ code: null, signal: 'SIGKILL' });
  });

  it('answers an adoption of a task it never ran with an error', async () => {
    const only = launcher();
    let exit: TaskExit | undefined;
    only.adopt('no-such-run#t9', (e) => { exit = e; });
    expect(await until(() => exit !== undefined)).to.equal(true);
    expect(exit && 'error' in exit ? exit.error.message : '').to.match(/no such task/);
  });

  it('exits once its launcher has gone and no task is left', async () => {
    const only = launcher();
    let exit: TaskExit | undefined;
    only.launch(spec(dir, 'exit 0', 'run-4#t1'), (e) => { exit = e; });
    expect(await until(() => exit !== undefined)).to.equal(true);
    const spawnerPid = only.spawnerPid!;
    only.close();
    expect(await until(() => !alive(spawnerPid)), 'the spawner exited').to.equal(true);
  });

  it('kills what is left and exits when its agent shuts it down for good', async () => {
    const only = launcher();
    let started = false;
    only.launch(spec(dir, 'echo $$ > pid; exec sleep 600', 'run-5#t1'), () => undefined, () => { started = true; });
    expect(await until(() => started && existsSync(path.join(dir, 'pid')))).to.equal(true);
    const taskPid = Number(readFileSync(path.join(dir, 'pid'), 'utf8'));
    const spawnerPid = only.spawnerPid!;
    only.shutdown();
    expect(await until(() => !alive(spawnerPid) && !alive(taskPid)), 'spawner and task gone').to.equal(true);
  });
});
