import { expect } from 'chai';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Messages } from '@tessera/protocol';
import { MemoryNetwork, NatsTransport, Process, Random, Runtime, memoryLogger, type UPID } from '@tessera/process';
import { InProcessHostLauncher } from '../src/in-process-host-launcher.js';
import { OsExecutorProcessLauncher } from '../src/os-executor-launcher.js';
import { OsProcessHostLauncher } from '../src/os-process-host-launcher.js';
import type { ExecutorProcess } from '../src/types.js';
import { alive, eventually, startNats, tempDir, type TestNats } from './os-support.js';

describe('custom executor processes', () => {
  const started: ExecutorProcess[] = [];
  let dir: string;
  beforeEach(() => { dir = tempDir('tessera-exec-'); });
  afterEach(() => {
    for (const p of started.splice(0)) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const launch = (command: Parameters<OsExecutorProcessLauncher['launch']>[0]['command'], env: Record<string, string> = {}): ExecutorProcess => {
    const p = new OsExecutorProcessLauncher().launch({ command, environment: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, directory: dir });
    started.push(p);
    return p;
  };

  it('runs a shell command in the sandbox with the given environment, output in stdout and stderr', async () => {
    const p = launch({ value: 'pwd; echo "$TESSERA_EXECUTOR_ID"; echo oops >&2; exit 3' }, { TESSERA_EXECUTOR_ID: 'e1' });
    expect(await p.exited).to.deep.equal({ code: 3, signal: null });
    expect(readFileSync(path.join(dir, 'stdout'), 'utf8')).to.equal(`${dir}\ne1\n`);
    expect(readFileSync(path.join(dir, 'stderr'), 'utf8')).to.equal('oops\n');
  });

  it('execs a command without a shell, arguments[0] being argv[0]', async () => {
    const p = launch({ value: '/bin/echo', shell: false, arguments: ['echo', 'a b', 'c'] });
    expect(await p.exited).to.deep.equal({ code: 0, signal: null });
    expect(readFileSync(path.join(dir, 'stdout'), 'utf8')).to.equal('a b c\n');
  });

  it('kills the executor\'s whole process group', async () => {
    const p = launch({ value: 'sleep 600 & echo $! > child; sleep 600' });
    await eventually('the child pid file', () => existsSync(path.join(dir, 'child')) && readFileSync(path.join(dir, 'child'), 'utf8').endsWith('\n'));
    const child = Number(readFileSync(path.join(dir, 'child'), 'utf8'));
    p.kill('SIGKILL');
    expect(await p.exited).to.deep.equal({ code: null, signal: 'SIGKILL' });
    await eventually('the forked sleep to die', () => !alive(child));
  });

  it('reports a command that cannot start', async () => {
    const p = launch({ value: '/no/such/executor', shell: false });
    const status = await p.exited;
    expect(status.error).to.match(/ENOENT/);
  });
});

/** A host actor that goes idle on SHUTDOWN, as executor-driver's ExecutorHost does. */
class IdleOnShutdown extends Process {
  constructor(private readonly onIdle: () => void) {
    super('executor-host');
  }

  protected initialize(): void {
    this.install('executor.Event', (event: Messages['executor.Event']) => { if (event.type === 'SHUTDOWN') this.onIdle(); });
  }
}

describe('in-process executor host launcher', () => {
  let runtime: Runtime;
  beforeEach(async () => {
    runtime = await Runtime.create({ transport: new MemoryNetwork().transport('n'), random: new Random(1), logger: memoryLogger() });
  });
  afterEach(() => runtime.stop());

  it('spawns one host, hands it out again, and starts a fresh one after it went idle', async () => {
    const idles: (() => void)[] = [];
    const launcher = new InProcessHostLauncher(runtime, ({ onIdle }) => { idles.push(onIdle); return new IdleOnShutdown(onIdle); });
    const first = await launcher.hostFor('F1');
    expect(first).to.equal('executor-host@n');
    expect(await launcher.hostFor('F2')).to.equal(first);
    idles[0]!();
    await runtime.wait(first);
    expect(await launcher.hostFor('F1')).to.equal(first);
    expect(idles).to.have.length(2);
    await launcher.shutdown();
    expect(runtime.processes()).to.not.include(first);
  });
});

describe('OS-process executor host launcher', function () {
  this.timeout(30_000);
  let nats: TestNats;
  let runtime: Runtime;
  let launcher: OsProcessHostLauncher | undefined;
  let dir: string;
  before(async () => { nats = await startNats(); });
  after(() => nats.stop());
  beforeEach(async () => {
    dir = tempDir('tessera-hosts-');
    runtime = await Runtime.create({ transport: new NatsTransport({ node: 'agent-n', servers: nats.url, cluster: 't' }), random: new Random(3), logger: memoryLogger() });
  });
  afterEach(async () => {
    await launcher?.shutdown();
    launcher = undefined;
    await runtime.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const entry = fileURLToPath(new URL('./fixtures/fake-host-main.js', import.meta.url));

  it('starts a host per framework as a Node process on NATS, waits until it answers, and stops it', async () => {
    launcher = new OsProcessHostLauncher({ runtime, entry, nats: { url: nats.url, cluster: 't' } });
    const log = path.join(dir, 'F1', 'executor-host.log');
    const host: UPID = await launcher.hostFor('F1', { logFile: log });
    expect(host).to.match(/^executor-host@agent-n-host-/);
    expect(await launcher.hostFor('F1')).to.equal(host);
    const other = await launcher.hostFor('F2', { logFile: path.join(dir, 'F2', 'executor-host.log') });
    expect(other).to.not.equal(host);
    const spawned = await runtime.ask(host, 'executor.Spawn', {
      framework_id: { value: 'F1' }, executor_info: { executor_id: { value: 'e' } }, directory: dir, agent: 'agent@agent-n',
    }, { expect: 'executor.Spawned', timeoutMs: 5_000 });
    expect(spawned.error).to.equal(`fake host ${host}`);
    expect(readFileSync(log, 'utf8')).to.contain('up');
    await launcher.shutdown();
    await eventually('the hosts to stop', async () => {
      const probe = await runtime.ask(host, 'executor.Spawn', {
        framework_id: { value: 'F1' }, executor_info: { executor_id: { value: 'e' } }, directory: dir, agent: 'agent@agent-n',
      }, { expect: 'executor.Spawned', timeoutMs: 200 }).then(() => false, () => true);
      return probe;
    });
  });

  it('fails, naming the log, when the host exits before it answers', async () => {
    const broken = path.join(dir, 'broken.mjs');
    writeFileSync(broken, 'process.exit(7)\n');
    launcher = new OsProcessHostLauncher({ runtime, entry: broken, nats: { url: nats.url, cluster: 't' } });
    const log = path.join(dir, 'broken.log');
    let error: Error | undefined;
    await launcher.hostFor('F1', { logFile: log }).catch((e: Error) => { error = e; });
    expect(error?.message).to.match(/exited \(code 7\) before it answered/).and.to.contain(log);
  });
});
