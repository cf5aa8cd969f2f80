import { expect } from 'chai';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { SpawnerLauncher, type TaskExit } from '@tessera/executor-driver';
import { OsExecutorProcessLauncher, containerLaunch, readKeyed, type ContainerSpec, type Containerizer } from '../src/index.js';
import { TEST_ROOT, cgroupDir, containerizer, host, processesWith, removeTestRoot, requireHost, spec } from './isolation-support.js';
import { eventually, tempDir } from './os-support.js';

// The isolators on real processes: a containerizer prepares a container, a spawner starts a
// shell command in it as the executor host would, and the kernel does the rest.

describe('isolation: cgroups, freezer and namespaces with real processes', function () {
  this.timeout(30_000);
  const launcher = new SpawnerLauncher({ nofile: 1024 });
  let sandbox: string;
  const made: { c: Containerizer; spec: ContainerSpec }[] = [];

  beforeEach(() => {
    sandbox = tempDir('tessera-isolation-');
  });
  afterEach(async () => {
    for (const { c, spec: s } of made.splice(0)) await c.destroy(s);
    rmSync(sandbox, { recursive: true, force: true });
  });
  after(() => {
    launcher.close();
    removeTestRoot();
  });

  /** Prepares a container and starts `script` in it; resolves with its exit. */
  async function start(c: Containerizer, s: ContainerSpec, script: string): Promise<{ exited: Promise<TaskExit>; pid: number | undefined }> {
    const plan = await c.prepare(s);
    made.push({ c, spec: s });
    let exited!: (exit: TaskExit) => void;
    const promise = new Promise<TaskExit>((resolve) => { exited = resolve; });
    const pid = launcher.launch({
      file: '/bin/sh', args: ['-c', script], cwd: s.directory, env: {}, stdoutPath: path.join(s.directory, 'stdout'), stderrPath: path.join(s.directory, 'stderr'),
      container: containerLaunch(plan),
    }, exited);
    return { exited: promise, pid };
  }

  it('cgroups/mem: a task allocating more than its mem is OOM-killed, and the limitation names the limit', async function () {
    requireHost(this, 'cgroups/memory');
    const c = containerizer('cgroups/mem');
    const s = spec(sandbox, 0.5, 64);
    // tail keeps the whole newline-free stream in memory: 300 MB against a 64 MB limit.
    const exit = await (await start(c, s, 'head -c 300M /dev/zero | tail')).exited;
    expect(exit).to.deep.equal({ code: 137, signal: null });
    expect(Number(readFileSync(path.join(cgroupDir('memory', s.containerId), 'memory.limit_in_bytes'), 'utf8'))).to.equal(64 * 1024 * 1024);
    const limitation = c.limitation(s);
    expect(limitation?.reason).to.equal('REASON_CONTAINER_LIMITATION_MEMORY');
    expect(limitation?.message).to.match(/^Memory limit exceeded: Requested: 64MB Maximum Used: \d+MB \(the kernel's OOM killer killed 1 process\)$/);
  });

  it('cgroups/mem: a task within its limit breaks nothing, and its memory shows in usage', async function () {
    requireHost(this, 'cgroups/memory');
    const c = containerizer('cgroups/mem');
    const s = spec(sandbox, 0.5, 64);
    const task = await start(c, s, 'head -c 8M /dev/zero | tail; sleep 30');
    await eventually('the task holds memory', () => (c.usage(s).mem_total_bytes ?? 0) > 0);
    expect(c.usage(s).mem_limit_bytes).to.equal(64 * 1024 * 1024);
    expect(c.limitation(s)).to.equal(undefined);
    launcher.signalGroup(task.pid!, 'SIGKILL');
    await task.exited;
  });

  it('cgroups/cpu: a CPU-bound task at cpus 0.25 uses about a quarter of a core (cpuacct over 3 s)', async function () {
    requireHost(this, 'cgroups/cpu', 'cgroups/cpuacct');
    const c = containerizer('cgroups/cpu');
    const s = spec(sandbox, 0.25, 64);
    const task = await start(c, s, 'while :; do :; done');
    const acct = cgroupDir('cpuacct', s.containerId);
    const cpu = cgroupDir('cpu', s.containerId);
    // Measured from the first tick the task runs, over 3 s of wall time.
    await eventually('the task runs', () => Number(readFileSync(path.join(acct, 'cpuacct.usage'), 'utf8')) > 0);
    // (The spawner lifts the quota for the instant of the fork: read once the task runs.)
    expect(readFileSync(path.join(cpu, 'cpu.shares'), 'utf8').trim()).to.equal('256');
    await eventually('the quota is back', () => readFileSync(path.join(cpu, 'cpu.cfs_quota_us'), 'utf8').trim() === '25000');
    const before = { ns: Number(readFileSync(path.join(acct, 'cpuacct.usage'), 'utf8')), at: process.hrtime.bigint() };
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const usedNs = Number(readFileSync(path.join(acct, 'cpuacct.usage'), 'utf8')) - before.ns;
    const cores = usedNs / Number(process.hrtime.bigint() - before.at);
    console.log(`      measured ${cores.toFixed(3)} of a core`);
    launcher.signalGroup(task.pid!, 'SIGKILL');
    await task.exited;
    // The quota caps it at 0.25; a busy shared machine may give it less, never more.
    expect(cores).to.be.within(0.12, 0.3);
    expect(readKeyed(cpu, 'cpu.stat').get('nr_throttled')).to.be.greaterThan(0);
    expect(c.usage(s).cpus_limit).to.equal(0.25);
  });

  it('cgroups/pids: a fork bomb is held at the pids limit, and the freezer destroys all of it', async function () {
    requireHost(this, 'cgroups/pids', 'cgroups/freezer');
    const c = containerizer('cgroups/pids', { pidsLimit: 40 });
    const s = spec(sandbox, 0.5, 64);
    await start(c, s, 'bomb() { bomb | bomb & }; bomb; sleep 600');
    const pids = cgroupDir('pids', s.containerId);
    await eventually('forks refused at the limit', () => (readKeyed(pids, 'pids.events').get('max') ?? 0) > 20);
    expect(Number(readFileSync(path.join(pids, 'pids.current'), 'utf8'))).to.be.at.most(40);
    await c.destroy(made.pop()!.spec);
    expect(existsSync(pids)).to.equal(false);
    expect(existsSync(cgroupDir('freezer', s.containerId))).to.equal(false);
  });

  it('the linux launcher leaves no process of a destroyed container, not even one that left its process group', async function () {
    requireHost(this, 'cgroups/freezer');
    const c = containerizer('posix/cpu');
    expect(c.launcher).to.equal('linux');
    const s = spec(sandbox, 0.5, 64);
    const marker = `tessera-daemon-${process.pid}`;
    const task = await start(c, s, `setsid sh -c 'sleep 600; : ${marker}' & setsid sh -c 'sleep 600; : ${marker}' & sleep 600; : ${marker}`);
    // Both daemons detached: `setsid` has made its session and exec'd their shell.
    await eventually('both daemons run in sessions of their own', () => processesWith(marker).filter((pid) => cmdline(pid).startsWith('sh\0')).length === 2);
    // The task's own group dies as the executor kills it; the setsid daemons are not in it.
    launcher.signalGroup(task.pid!, 'SIGKILL');
    await task.exited;
    await eventually('the task\'s group is gone, its two daemons not', () => processesWith(marker).length === 2);
    await c.destroy(made.pop()!.spec);
    expect(processesWith(marker)).to.deep.equal([]);
    expect(existsSync(cgroupDir('freezer', s.containerId))).to.equal(false);
  });

  it('destroys at recovery every container of its root that no recovered run owns, and only those', async function () {
    requireHost(this, 'cgroups/freezer', 'cgroups/pids');
    const c = containerizer('cgroups/pids');
    const kept = spec(sandbox, 0.5, 64);
    const orphan = spec(sandbox, 0.5, 64);
    const marker = `tessera-orphan-${process.pid}`;
    const keptTask = await start(c, kept, `sleep 600; : ${marker}-kept`);
    await start(c, orphan, `sleep 600; : ${marker}-orphan`);
    await eventually('both run', () => processesWith(marker).length === 2);
    expect(await c.recover(new Set([kept.containerId]))).to.deep.equal([orphan.containerId]);
    expect(processesWith(`${marker}-orphan`)).to.deep.equal([]);
    expect(existsSync(cgroupDir('pids', orphan.containerId))).to.equal(false);
    expect(existsSync(cgroupDir('freezer', orphan.containerId))).to.equal(false);
    expect(processesWith(`${marker}-kept`)).to.have.length(1);
    launcher.signalGroup(keptTask.pid!, 'SIGKILL');
    await keptTask.exited;
  });

  it('starts a custom executor in its container too (the agent\'s thread joins the cgroups around the fork)', async function () {
    requireHost(this, 'cgroups/pids', 'cgroups/freezer');
    const c = containerizer('cgroups/pids');
    const s = spec(sandbox, 0.5, 64);
    const plan = await c.prepare(s);
    made.push({ c, spec: s });
    const executor = new OsExecutorProcessLauncher().launch({
      command: { value: 'cat /proc/self/cgroup; echo "$(ulimit -n)"' }, environment: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, directory: sandbox,
      container: containerLaunch(plan),
    });
    expect(await executor.exited).to.deep.equal({ code: 0, signal: null });
    const out = readFileSync(path.join(sandbox, 'stdout'), 'utf8');
    expect(cgroupDir('pids', s.containerId).endsWith(out.split('\n').find((l) => l.split(':')[1] === 'pids')!.split(':')[2]!)).to.equal(true);
    // The agent's default nofile, set by prlimit: the agent's own limit differs.
    expect(out.trim().split('\n').at(-1)).to.equal('1024');
    expect(readFileSync('/proc/self/cgroup', 'utf8')).to.not.include(s.containerId);
  });

  it('namespaces/pid: a task is pid 1, sees only its own processes and cannot signal its neighbour', async function () {
    requireHost(this, 'unshare');
    const c = containerizer('namespaces/pid');
    const marker = `tessera-neighbour-${process.pid}`;
    const neighbour = await start(c, spec(sandbox, 0.5, 64), `sleep 600; : ${marker}`);
    await eventually('the neighbour runs', () => processesWith(marker).length > 0);
    const hostPid = processesWith(marker)[0]!;
    const other = spec(tempDir('tessera-isolation-'), 0.5, 64);
    const exit = await (await start(c, other, `echo $$; ls /proc | grep -c '^[0-9]'; kill -0 ${hostPid} 2>/dev/null && echo signalled || echo cannot-signal`)).exited;
    expect(exit).to.deep.equal({ code: 0, signal: null });
    const [pid, count, signalled] = readFileSync(path.join(other.directory, 'stdout'), 'utf8').trim().split('\n');
    expect(pid).to.equal('1');
    expect(Number(count)).to.be.at.most(3);
    expect(signalled).to.equal('cannot-signal');
    launcher.signalGroup(neighbour.pid!, 'SIGKILL');
    await neighbour.exited;
    rmSync(other.directory, { recursive: true, force: true });
  });

  it('filesystem/linux: a private /tmp and a read-only host, the sandbox writable', async function () {
    requireHost(this, 'bwrap');
    const c = containerizer('filesystem/linux');
    const s = spec(sandbox, 0.5, 64);
    const marker = `tessera-fs-${process.pid}`;
    const exit = await (await start(c, s, `echo x > /tmp/${marker} && touch /usr/${marker} 2>/dev/null; echo kept > kept`)).exited;
    expect(exit).to.deep.equal({ code: 0, signal: null });
    expect(existsSync(`/tmp/${marker}`)).to.equal(false);
    expect(existsSync(`/usr/${marker}`)).to.equal(false);
    expect(readFileSync(path.join(sandbox, 'kept'), 'utf8')).to.equal('kept\n');
  });

  it('closes after the destroys in flight, leaving neither container nor cgroups root in any hierarchy', async function () {
    requireHost(this, 'cgroups/memory', 'cgroups/cpu', 'cgroups/pids', 'cgroups/freezer');
    const root = `${TEST_ROOT}/closing`;
    const c = containerizer('cgroups/cpu,cgroups/mem,cgroups/pids', {}, root);
    const s = spec(sandbox, 0.5, 64);
    const exit = await (await start(c, s, 'exit 0')).exited;
    expect(exit).to.deep.equal({ code: 0, signal: null });
    void c.destroy(s);
    await c.close();
    for (const controller of ['memory', 'cpu', 'cpuacct', 'pids', 'freezer'] as const) {
      const h = host.cgroups[controller]!;
      expect(existsSync(path.join(h.mount, h.own, root)), controller).to.equal(false);
    }
  });
});

/** A process's command line ('' once it is gone). */
function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}
