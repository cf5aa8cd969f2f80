import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import type { ContainerLaunch } from '@tessera/protocol';
import { SpawnerLauncher } from '../src/spawner-launcher.js';
import { processLauncher, type LaunchSpec, type TaskExit, type TaskLauncher } from '../src/task-launcher.js';
import { CgroupTestRoot } from './cgroup-test-root.js';

// Tasks born in their container, with real processes: cgroups joined by the spawner around the
// fork, limits inherited or set by prlimit, pid namespace and filesystem by unshare / bubblewrap.
// A test whose host feature is missing says so and is skipped.

function spec(dir: string, script: string, container?: ContainerLaunch): LaunchSpec {
  return {
    file: '/bin/sh', args: ['-c', script], cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    stdoutPath: path.join(dir, 'stdout'), stderrPath: path.join(dir, 'stderr'), ...(container === undefined ? {} : { container }),
  };
}

function run(launcher: TaskLauncher, launch: LaunchSpec): Promise<TaskExit> {
  return new Promise((resolve) => launcher.launch(launch, resolve));
}

/** Skips the test, printing why, when `controller`'s hierarchy cannot be used here. */
function needCgroup(context: Mocha.Context, controller: string): void {
  const found = CgroupTestRoot.hierarchy(controller);
  if ('missing' in found) {
    console.log(`      skipped: ${found.missing}`);
    context.skip();
  }
}

function needCommand(context: Mocha.Context, name: string, args: string[]): void {
  const probe = spawnSync(name, args, { stdio: 'ignore' });
  if (probe.status !== 0) {
    console.log(`      skipped: ${name} ${args.join(' ')} does not work here (${probe.error?.message ?? `exit ${probe.status}`})`);
    context.skip();
  }
}

/** The cgroup path of `controller` in a /proc/<pid>/cgroup text. */
function cgroupOf(text: string, controller: string): string | undefined {
  return text.split('\n').map((l) => l.split(':')).find((p) => p[1]?.split(',').includes(controller))?.[2];
}

describe('spawner: tasks born in their container (real processes)', function () {
  this.timeout(20_000);
  const cgroups = new CgroupTestRoot();
  let dir: string;
  let launcher: SpawnerLauncher;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-spawner-container-'));
    launcher = new SpawnerLauncher({ nofile: 512 });
  });
  afterEach(async () => {
    launcher.close();
    await cgroups.removeAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts the task inside the container\'s cgroups and moves the spawner back to its own', async function () {
    needCgroup(this, 'pids');
    needCgroup(this, 'freezer');
    const pids = cgroups.make('pids', 'c1');
    const freezer = cgroups.make('freezer', 'c1');
    const exit = await run(launcher, spec(dir, 'cat /proc/self/cgroup; echo $PPID > ppid', { cgroups: [pids, freezer] }));
    expect(exit).to.deep.equal({ code: 0, signal: null });
    const inside = readFileSync(path.join(dir, 'stdout'), 'utf8');
    expect(cgroupOf(inside, 'pids')).to.match(/\/tessera-test-\d+\/c1$/);
    expect(pids.endsWith(cgroupOf(inside, 'pids')!)).to.equal(true);
    expect(freezer.endsWith(cgroupOf(inside, 'freezer')!)).to.equal(true);
    // The task's parent is the spawner: no wrapper came between them, and the spawner went home.
    const spawner = Number(readFileSync(path.join(dir, 'ppid'), 'utf8'));
    expect(spawner).to.equal(launcher.spawnerPid);
    const spawnerCgroups = readFileSync(`/proc/${spawner}/cgroup`, 'utf8');
    expect(cgroupOf(spawnerCgroups, 'pids')).to.equal(cgroupOf(readFileSync('/proc/self/cgroup', 'utf8'), 'pids'));
    expect(readFileSync(path.join(pids, 'tasks'), 'utf8')).to.equal('');
  });

  it('lifts a cpu cgroup\'s CFS quota while the spawner\'s thread forks in it, and puts it back', async function () {
    needCgroup(this, 'cpu');
    const cpu = cgroups.make('cpu', 'q1');
    // 1 ms per 100 ms: a spawner thread inside would stall there, and every launch behind it.
    writeFileSync(path.join(cpu, 'cpu.cfs_quota_us'), '1000');
    const exit = await run(launcher, spec(dir, 'cat /proc/self/cgroup', { cgroups: [cpu] }));
    expect(exit).to.deep.equal({ code: 0, signal: null });
    // Born inside, so what the shell forks at once is inside too.
    expect(cpu.endsWith(cgroupOf(readFileSync(path.join(dir, 'stdout'), 'utf8'), 'cpu')!)).to.equal(true);
    expect(readFileSync(path.join(cpu, 'cpu.cfs_quota_us'), 'utf8').trim()).to.equal('1000');
    expect(cgroupOf(readFileSync(`/proc/${launcher.spawnerPid}/cgroup`, 'utf8'), 'cpu')).to.equal(cgroupOf(readFileSync('/proc/self/cgroup', 'utf8'), 'cpu'));
  });

  it('fails the launch, starting nothing, when a container cgroup is gone', async () => {
    const exit = await run(launcher, spec(dir, 'echo ran', { cgroups: ['/sys/fs/cgroup/pids/no-such-tessera-cgroup'] }));
    expect(exit).to.have.property('error').that.matches(/no-such-tessera-cgroup/);
    expect(existsSync(path.join(dir, 'stdout')) ? readFileSync(path.join(dir, 'stdout'), 'utf8') : '').to.equal('');
  });

  it('gives the task the spawner\'s nofile with no wrapper, and sets other limits with prlimit', async () => {
    await run(launcher, spec(dir, 'echo "$(ulimit -n) $(ulimit -Hn)"', { rlimits: [{ type: 'RLMT_NOFILE', soft: 512, hard: 512 }] }));
    await run(launcher, spec(dir, 'echo "$(ulimit -n) $(ulimit -Hn) $(ulimit -c)"', {
      rlimits: [{ type: 'RLMT_NOFILE', soft: 64, hard: 128 }, { type: 'RLMT_CORE' }],
    }));
    expect(readFileSync(path.join(dir, 'stdout'), 'utf8')).to.equal('512 512\n64 128 unlimited\n');
  });

  it('fails a task whose limit cannot be set (above the hard limit) before it runs', async () => {
    const exit = await run(launcher, spec(dir, 'echo ran', { rlimits: [{ type: 'RLMT_NOFILE', soft: 2 ** 40, hard: 2 ** 40 }] }));
    expect(exit).to.have.property('code').that.is.not.equal(0);
    expect(readFileSync(path.join(dir, 'stdout'), 'utf8')).to.equal('');
  });

  it('runs the task as pid 1 of a new pid namespace, seeing no other process', async function () {
    needCommand(this, 'unshare', ['--pid', '--fork', '--kill-child', '--mount-proc', '/bin/true']);
    const exit = await run(launcher, spec(dir, 'echo $$; ls /proc | grep -c "^[0-9]"', { pid_namespace: true }));
    expect(exit).to.deep.equal({ code: 0, signal: null });
    // Itself and the `ls` (the grep's count includes the pids alive as ls reads /proc).
    const [pid, count] = readFileSync(path.join(dir, 'stdout'), 'utf8').trim().split('\n');
    expect(pid).to.equal('1');
    expect(Number(count)).to.be.at.most(3);
  });

  it('gives the task a private /tmp and a read-only host, its sandbox writable', async function () {
    needCommand(this, 'bwrap', ['--ro-bind', '/', '/', '--dev', '/dev', '--tmpfs', '/tmp', '/bin/true']);
    const marker = `tessera-private-tmp-${process.pid}`;
    const script = `echo hidden > /tmp/${marker} && cat /tmp/${marker}; touch /etc/${marker} 2>/dev/null && echo wrote-etc; echo kept > kept; echo $$`;
    const exit = await run(launcher, spec(dir, script, { filesystem: { private_tmp: true, read_only_host: true } }));
    expect(exit).to.deep.equal({ code: 0, signal: null });
    const [tmp, pid] = readFileSync(path.join(dir, 'stdout'), 'utf8').trim().split('\n');
    expect(tmp).to.equal('hidden');
    expect(pid).to.not.equal('1');
    expect(existsSync(`/tmp/${marker}`)).to.equal(false);
    expect(existsSync(`/etc/${marker}`)).to.equal(false);
    expect(readFileSync(path.join(dir, 'kept'), 'utf8')).to.equal('kept\n');
  });

  it('combines a private filesystem with a pid namespace in one bubblewrap', async function () {
    needCommand(this, 'bwrap', ['--ro-bind', '/', '/', '--dev', '/dev', '--unshare-pid', '--as-pid-1', '--proc', '/proc', '/bin/true']);
    await run(launcher, spec(dir, 'echo $$; touch /etc/x 2>/dev/null || echo ro', { pid_namespace: true, filesystem: { private_tmp: true, read_only_host: true } }));
    expect(readFileSync(path.join(dir, 'stdout'), 'utf8')).to.equal('1\nro\n');
  });

  it('places tasks in cgroups from the in-process launcher too', async function () {
    needCgroup(this, 'pids');
    const pids = cgroups.make('pids', 'c2');
    await run(processLauncher, spec(dir, 'cat /proc/self/cgroup', { cgroups: [pids] }));
    const inside = cgroupOf(readFileSync(path.join(dir, 'stdout'), 'utf8'), 'pids')!;
    expect(inside).to.match(/\/tessera-test-\d+\/c2$/);
    expect(pids.endsWith(inside)).to.equal(true);
    expect(cgroupOf(readFileSync('/proc/self/cgroup', 'utf8'), 'pids')).to.not.match(/tessera-test/);
  });
});
