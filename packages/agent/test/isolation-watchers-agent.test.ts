import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Resource, TaskInfo } from '@tessera/protocol';
import { SpawnerLauncher } from '@tessera/executor-driver';
import { containerStatistics, type AgentOptions } from '../src/index.js';
import { TEST_ROOT, host, processesWith, removeTestRoot, requireHost } from './isolation-support.js';
import { eventually, freePort } from './os-support.js';
import { ackUntil, isolatedCluster, terminalOf, updatesOf } from './isolated-agent.js';
import { commandTask, framework, type Cluster } from './support.js';

/**
 * disk/du, network/ports and the isolators' usage in a real agent, with a real executor host
 * whose spawner starts tasks as OS processes: a task over its disk or on a port it was not
 * given, as the framework hears of it; what /monitor/statistics and the metrics show of a
 * running task's cgroups. The watch intervals are short and the clock is a ManualClock moved
 * 100 ms a round.
 */
describe('disk/du, network/ports and usage in a real agent', function () {
  this.timeout(30_000);
  let cluster: Cluster | undefined;
  const spawner = new SpawnerLauncher({ nofile: 1024 });

  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });
  after(async () => {
    spawner.close();
    // The tasks of a stopped agent die with their executors, a moment after the stop.
    const busy = () => Object.values(host.cgroups).flatMap((h) => cgroupsUnder(path.join(h.mount, h.own, TEST_ROOT))).filter((dir) => procsOf(dir) !== '');
    await eventually('no process is left in the test cgroups', () => busy().length === 0);
    removeTestRoot();
  });

  /** Every cgroup below `dir`, at any depth; none when it is gone. */
  function cgroupsUnder(dir: string): string[] {
    try {
      return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).flatMap((e) => [path.join(dir, e.name), ...cgroupsUnder(path.join(dir, e.name))]);
    } catch {
      return [];
    }
  }

  /** A cgroup's processes as text; none once it is gone. */
  function procsOf(dir: string): string {
    try {
      return readFileSync(path.join(dir, 'cgroup.procs'), 'utf8');
    } catch {
      return '';
    }
  }

  async function start(agent: Partial<AgentOptions>): Promise<Cluster> {
    cluster = await isolatedCluster(spawner, {
      limitationPollMs: 500, containerDiskWatchIntervalMs: 1_000, containerPortsWatchIntervalMs: 1_000,
      resources: 'cpus:4;mem:4096;disk:10000;ports:[31000-32000]', ...agent,
    });
    return cluster;
  }

  const until = (c: Cluster, what: string, done: () => boolean | Promise<boolean>): Promise<void> => ackUntil(c, what, done, 100);

  function task(id: string, command: string, ...extra: Resource[]): TaskInfo {
    const base = commandTask(id, command);
    return { ...base, resources: [...base.resources, ...extra] };
  }

  /** Two distinct free ports. */
  async function twoPorts(): Promise<[number, number]> {
    const first = await freePort();
    let second = await freePort();
    while (second === first) second = await freePort();
    return [first, second];
  }

  const disk = (mb: number): Resource => ({ name: 'disk', type: 'SCALAR', scalar: { value: mb } });
  const ports = (port: number): Resource => ({ name: 'ports', type: 'RANGES', ranges: { range: [{ begin: port, end: port }] } });
  /** A command that listens on TCP `ports` of loopback until killed; `marker` finds its process. */
  const listener = (marker: string, ...on: number[]) =>
    `exec node -e "for (const p of [${on.join(',')}]) require('net').createServer().listen(p, '127.0.0.1')" ${marker}`;

  it('kills a task that writes 20 MB into its sandbox with disk 10 when enforcement is on (REASON_CONTAINER_LIMITATION_DISK)', async () => {
    const c = await start({ isolation: 'disk/du', enforceContainerDiskQuota: true });
    const marker = `tessera-disk-${process.pid}`;
    c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task: task('filler', `head -c 20M /dev/zero > fill && sleep 600; : ${marker}`, disk(10)) });
    await until(c, 'the filler fails', () => terminalOf(c, 'filler') !== undefined);
    const status = terminalOf(c, 'filler')!;
    expect(status).to.deep.include({ state: 'TASK_FAILED', reason: 'REASON_CONTAINER_LIMITATION_DISK' });
    // Measured when it was first over: perhaps mid-write, so anywhere above 10 MB.
    const measured = /^Disk usage \((\d+(?:\.\d)?)MB\) exceeds quota \(10MB\): the sandbox \S+ holds more than its disk resource$/.exec(status.message ?? '');
    expect(measured, status.message).to.not.equal(null);
    expect(Number(measured![1])).to.be.above(10).and.at.most(20.1);
    await until(c, 'its process is gone', () => processesWith(marker).length === 0);
  });

  it('without enforcement, measures a task over its disk and lets it run', async () => {
    const c = await start({ isolation: 'disk/du' });
    c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task: task('filler', 'head -c 20M /dev/zero > fill && exec sleep 600', disk(10)) });
    await until(c, 'the sandbox measures 20 MB', () => (c.agent.operator.containers()[0]?.usage?.disk_used_bytes ?? 0) >= 20 * 1024 * 1024);
    expect(c.agent.operator.containers()[0]!.usage!.disk_limit_bytes).to.equal(10 * 1024 * 1024);
    expect(c.agent.operator.metrics(0)['containerizer/mesos/disk/du/containers_over_quota']).to.equal(1);
    expect(terminalOf(c, 'filler')).to.equal(undefined);
  });

  /** network/ports where a container's processes are found by its sandbox (posix) and by its freezer cgroup (linux). */
  for (const launcher of ['posix', 'linux'] as const) {
    describe(`network/ports, ${launcher} launcher`, () => {
      beforeEach(function () {
        if (launcher === 'linux') requireHost(this, 'cgroups/freezer');
      });

      it('reports a task listening on a port it was not given, and leaves it running without enforcement', async () => {
        const c = await start({ isolation: 'network/ports', launcher });
        const [given, stray] = await twoPorts();
        c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task: task('web', listener('tessera-ports', given, stray), ports(given)) });
        await until(c, 'the stray port is reported', () => c.agent.operator.metrics(0)['containerizer/mesos/network/ports/unallocated_reports'] === 1);
        expect(c.agent.operator.metrics(0)['containerizer/mesos/network/ports/containers_listening_unallocated']).to.equal(1);
        expect(terminalOf(c, 'web')).to.equal(undefined);
        expect(updatesOf(c, 'web').at(-1)!.state).to.equal('TASK_RUNNING');
      });

      it('with enforcement, kills a task listening on a port it was not given (REASON_CONTAINER_LIMITATION naming the port)', async () => {
        const c = await start({ isolation: 'network/ports', launcher, enforceContainerPorts: true });
        const [given, stray] = await twoPorts();
        const marker = `tessera-ports-${process.pid}-${launcher}`;
        c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task: task('web', listener(marker, given, stray), ports(given)) });
        await until(c, 'the task fails', () => terminalOf(c, 'web') !== undefined);
        const status = terminalOf(c, 'web')!;
        expect(status).to.deep.include({ state: 'TASK_FAILED', reason: 'REASON_CONTAINER_LIMITATION' });
        // The stray port alone: the given one is the task's to use.
        expect(status.message).to.match(new RegExp(`is listening on port ${stray}, not among its ports resource \\(${given}\\)$`));
        await until(c, 'its process is gone', () => processesWith(marker).length === 0);
      });
    });
  }

  it('shows a running task\'s cgroup figures (CPU times, memory, processes) and its disk in /monitor/statistics and the metrics', async function () {
    requireHost(this, 'cgroups/cpu', 'cgroups/cpuacct', 'cgroups/memory', 'cgroups/pids', 'cgroups/freezer');
    const c = await start({ isolation: 'cgroups/cpu,cgroups/mem,cgroups/pids,disk/du' });
    // Some CPU first, then a megabyte on disk, then two processes (the shell and its sleep).
    const busy = 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; head -c 1M /dev/zero > one; sleep 600; :';
    c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task: task('busy', busy, disk(5)) });
    await until(c, 'the task has used CPU and written its file', () => {
      const usage = c.agent.operator.containers()[0]?.usage;
      return usage !== undefined && (usage.cpus_user_time_secs ?? 0) > 0 && (usage.disk_used_bytes ?? 0) >= 1024 * 1024 && usage.processes === 2;
    });
    // /proc is not read: every figure comes from the container's cgroups and disk/du.
    const [entry] = await containerStatistics(c.agent.operator.containers(), 1, '/nonexistent-proc');
    const s = entry!.statistics;
    expect(s).to.include({ timestamp: 1, cpus_limit: 1, mem_limit_bytes: 64 * 1024 * 1024, processes: 2, disk_limit_bytes: 5 * 1024 * 1024 });
    expect(s.cpus_user_time_secs + s.cpus_system_time_secs).to.be.above(0);
    expect(s.mem_rss_bytes).to.be.above(0);
    expect(s.mem_total_bytes).to.be.at.least(s.mem_rss_bytes);
    expect(s.threads).to.equal(2);
    expect(s.cpus_nr_periods).to.be.a('number');
    const metrics = c.agent.operator.metrics(0);
    expect(metrics).to.include({ 'slave/tasks_running': 1, 'containerizer/usage/processes': 2, 'containerizer/usage/mem_limit_bytes': 64 * 1024 * 1024 });
    expect(metrics['containerizer/usage/cpus_user_time_secs']).to.be.above(0);
  });
});
