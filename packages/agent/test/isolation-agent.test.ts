import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TaskInfo } from '@tessera/protocol';
import { SpawnerLauncher } from '@tessera/executor-driver';
import { ManualClock, MemoryNetwork, Random, Runtime, memoryLogger } from '@tessera/process';
import { Agent, checkpointDirectory, type AgentOptions, type ExecutorHostLauncher } from '../src/index.js';
import { TEST_ROOT, host, processesWith, removeTestRoot, requireHost, testCgroups } from './isolation-support.js';
import { ackUntil, isolatedCluster, terminalOf, updatesOf } from './isolated-agent.js';
import { commandTask, framework, type Cluster } from './support.js';

/**
 * The containerizer in a real agent, with a real executor host whose spawner starts tasks as OS
 * processes in their containers: what a framework sees of a limit, and what is left after a kill.
 */
describe('isolation in a real agent', function () {
  this.timeout(30_000);
  let cluster: Cluster | undefined;
  const spawner = new SpawnerLauncher({ nofile: 1024 });

  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });
  after(() => {
    spawner.close();
    removeTestRoot();
  });

  async function start(agent: Partial<AgentOptions>): Promise<Cluster> {
    cluster = await isolatedCluster(spawner, agent);
    return cluster;
  }

  const until = (c: Cluster, what: string, done: () => boolean | Promise<boolean>): Promise<void> => ackUntil(c, what, done, 10);

  it('fails a task the OOM killer ended with REASON_CONTAINER_LIMITATION_MEMORY and the limit', async function () {
    requireHost(this, 'cgroups/memory', 'cgroups/freezer');
    // No polling here: the executor's own report of the task's end is what the agent rewrites.
    const c = await start({ isolation: 'cgroups/mem', limitationPollMs: 3_600_000 });
    c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task: commandTask('hog', 'head -c 300M /dev/zero | tail') });
    await until(c, 'the hog ends', () => terminalOf(c, 'hog') !== undefined);
    const status = terminalOf(c, 'hog')!;
    expect(status).to.deep.include({ state: 'TASK_FAILED', reason: 'REASON_CONTAINER_LIMITATION_MEMORY', source: 'SOURCE_EXECUTOR' });
    expect(status.message).to.match(/^Memory limit exceeded: Requested: 64MB Maximum Used: \d+MB/);
    await until(c, 'its cgroups are gone', () => containers('memory').length === 0 && containers('freezer').length === 0);
  });

  it('destroys a container whose child process the OOM killer ended while the task lives on, failing the task with the memory reason', async function () {
    requireHost(this, 'cgroups/memory', 'cgroups/freezer');
    const c = await start({ isolation: 'cgroups/mem', limitationPollMs: 1_000 });
    const marker = `tessera-oom-survivor-${process.pid}`;
    c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task: commandTask('parent', `head -c 300M /dev/zero | tail; sleep 600; : ${marker}`) });
    await until(c, 'the poll finds the limitation and the task fails', () => terminalOf(c, 'parent') !== undefined);
    expect(terminalOf(c, 'parent')).to.deep.include({ state: 'TASK_FAILED', reason: 'REASON_CONTAINER_LIMITATION_MEMORY', source: 'SOURCE_AGENT' });
    expect(terminalOf(c, 'parent')!.message).to.match(/^Memory limit exceeded: Requested: 64MB/);
    await until(c, 'nothing of it is left', () => processesWith(marker).length === 0 && containers('memory').length === 0 && containers('freezer').length === 0);
  });

  it('leaves no process of a killed task, not even a daemon that left its process group, and removes its cgroups', async function () {
    requireHost(this, 'cgroups/freezer', 'cgroups/pids');
    const c = await start({ isolation: 'cgroups/pids' });
    const marker = `tessera-killed-${process.pid}`;
    c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task: commandTask('k', `setsid sh -c 'sleep 600; : ${marker}' & sleep 600; : ${marker}`) });
    await until(c, 'the task and its daemon run', () => processesWith(marker).length === 2);
    // One container, under a level of the agent's own (a key of its work dir).
    const [container] = containers('pids');
    expect(containers('pids')).to.have.length(1);
    expect(path.basename(path.dirname(container!))).to.match(/^[0-9a-f]{12}$/);
    c.master.tell(c.agent.pid, 'agent.KillTask', { framework_id: { value: 'F1' }, task_id: { value: 'k' } });
    await until(c, 'the task is killed', () => terminalOf(c, 'k')?.state === 'TASK_KILLED');
    // Its run ends once the kill is acknowledged; the freezer then takes the daemon too.
    await until(c, 'nothing of the container is left', () => processesWith(marker).length === 0 && c.agent.operator.containers().length === 0);
    await until(c, 'its cgroups are gone', () => containers('pids').length === 0 && containers('freezer').length === 0);
  });

  it('gives a task the limits of its ContainerInfo.rlimit_info (posix/rlimits)', async () => {
    const c = await start({ isolation: 'posix/cpu,posix/rlimits' });
    const task: TaskInfo = {
      ...commandTask('r', 'echo "$(ulimit -n) $(ulimit -Hn)"'),
      container: { type: 'MESOS', rlimit_info: { rlimits: [{ type: 'RLMT_NOFILE', soft: 100, hard: 200 }] } },
    };
    c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task });
    await until(c, 'the task ends', () => terminalOf(c, 'r') !== undefined);
    expect(terminalOf(c, 'r')!.state).to.equal('TASK_FINISHED');
    const stdout = readFileSync(path.join(c.workDir, 'agents', 'S0', 'frameworks', 'F1', 'executors', 'r', 'runs', 'latest', 'stdout'), 'utf8');
    expect(stdout).to.equal('100 200\n');
  });

  it('fails a launch it cannot isolate (bad rlimits, a Docker container) before any process starts', async () => {
    const c = await start({ isolation: 'posix/rlimits' });
    const bad: TaskInfo = { ...commandTask('bad', 'echo ran'), container: { type: 'MESOS', rlimit_info: { rlimits: [{ type: 'RLMT_NOFILE', soft: 10 }] } } };
    const docker: TaskInfo = { ...commandTask('docker', 'echo ran'), container: { type: 'DOCKER' } };
    c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task: bad });
    c.master.tell(c.agent.pid, 'agent.RunTask', { framework: framework(), task: docker });
    await until(c, 'both fail', () => terminalOf(c, 'bad') !== undefined && terminalOf(c, 'docker') !== undefined);
    expect(terminalOf(c, 'bad')).to.deep.include({ state: 'TASK_FAILED', reason: 'REASON_CONTAINER_LAUNCH_FAILED', message: 'Failed to launch container: rlimit RLMT_NOFILE needs both soft and hard, or neither (unlimited)' });
    expect(terminalOf(c, 'docker')).to.deep.include({ state: 'TASK_FAILED', reason: 'REASON_CONTAINER_LAUNCH_FAILED' });
    expect(terminalOf(c, 'docker')!.message).to.match(/DOCKER/);
    expect(updatesOf(c, 'bad').map((s) => s.state)).to.deep.equal(['TASK_FAILED']);
  });

  it('shows its isolation, launcher and what the host has in /state', async function () {
    requireHost(this, 'cgroups/freezer');
    const c = await start({ isolation: 'auto' });
    const state = c.agent.operator.state();
    // The agent's own level under the root: a key of its work dir.
    expect(state.isolation).to.deep.include({ launcher: 'linux' });
    expect(state.isolation!.cgroups_root).to.match(new RegExp(`^${TEST_ROOT}/[0-9a-f]{12}$`));
    expect(state.isolation!.isolation.split(',')).to.include('posix/rlimits');
    expect(state.flags).to.deep.include({ launcher: 'linux', cgroups_root: state.isolation!.cgroups_root });
    expect(state.isolation!.host.cgroups).to.have.property('freezer');
  });
});

/** Agents built only to be looked at: none of them launches an executor. */
const NO_HOSTS: ExecutorHostLauncher = {
  hostFor: () => { throw new Error('this agent launches nothing'); },
  forget: () => {},
  shutdown: async () => {},
};

describe('the cgroups root of agents sharing a work dir', () => {
  it('is one per checkpoint dir (node), the same again for a restarted agent', async () => {
    const workDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-shared-work-'));
    try {
      const rootOf = async (node: string): Promise<string> => {
        const runtime = await Runtime.create({ transport: new MemoryNetwork().transport(node), clock: new ManualClock(), random: new Random(1), logger: memoryLogger() });
        try {
          const agent = runtime.spawn(new Agent({ workDir, checkpointDir: checkpointDirectory(workDir, node), isolation: 'auto', cgroupsRoot: TEST_ROOT, hostCapabilities: host, hostLauncher: NO_HOSTS }));
          return await runtime.dispatch(agent.pid, () => agent.operator.state().isolation!.cgroups_root);
        } finally {
          await runtime.stop();
        }
      };
      const first = await rootOf('agent-1');
      expect(first).to.match(new RegExp(`^${TEST_ROOT}/[0-9a-f]{12}$`));
      expect(await rootOf('agent-2')).to.not.equal(first);
      expect(await rootOf('agent-1')).to.equal(first);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  });
});

/** The container cgroups under the test root (`<root>/<agent key>/<container>`) in `controller`'s hierarchy. */
function containers(controller: 'pids' | 'freezer' | 'memory'): string[] {
  return testCgroups(controller).filter((dir) => path.basename(path.dirname(path.dirname(dir))) === TEST_ROOT);
}
