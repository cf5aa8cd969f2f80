import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ManualClock, MemoryNetwork, Random, Runtime, memoryLogger, type Clock } from '@tessera/process';
import type { Messages } from '@tessera/protocol';
import { ExecutorHost } from '../src/executor-host.js';
import { commandTask, FakeAgent } from './fake-agent.js';
import { eventually, isAlive, RecordingLauncher, Sandboxes } from './support.js';

const sandboxes = new Sandboxes();
const launchers: RecordingLauncher[] = [];
const runtimes: Runtime[] = [];

/** A fake agent on one node, an executor host on another; real task processes. */
async function setup(options: { idleMs?: number; clock?: Clock } = {}) {
  const network = new MemoryNetwork();
  const logger = memoryLogger();
  const clock = options.clock;
  const agentRuntime = await Runtime.create({ transport: network.transport('agent-node'), logger, random: new Random(1), clock });
  const hostRuntime = await Runtime.create({ transport: network.transport('host-node'), logger, random: new Random(2), clock });
  runtimes.push(agentRuntime, hostRuntime);
  const agent = agentRuntime.spawn(new FakeAgent('agent'));
  const launcher = new RecordingLauncher();
  launchers.push(launcher);
  const idle: number[] = [];
  const host = hostRuntime.spawn(new ExecutorHost({ runtime: hostRuntime, idleMs: options.idleMs ?? 60_000, launcher, onIdle: () => { idle.push(host.executorCount); } }));
  const spawn = async (executorId: string, extra: Partial<Messages['executor.Spawn']> = {}) => agentRuntime.ask(host.pid, 'executor.Spawn', {
    framework_id: { value: 'f1' },
    executor_info: { executor_id: { value: executorId } },
    directory: extra.directory ?? await sandboxes.make(),
    agent: agent.pid,
    ...extra,
  }, { expect: 'executor.Spawned' });
  return { agentRuntime, hostRuntime, agent, host, launcher, idle, spawn };
}

afterEach(async () => {
  for (const launcher of launchers.splice(0)) launcher.killAll();
  await Promise.all(runtimes.splice(0).map((r) => r.stop()));
  await sandboxes.removeAll();
});

describe('ExecutorHost', () => {
  it('spawns a command executor that subscribes to the agent from the pid it replies with', async () => {
    const { agent, host, spawn } = await setup();
    const spawned = await spawn('e1');
    expect(spawned).to.deep.equal({ executor_id: { value: 'e1' }, pid: 'command-executor-0@host-node' });
    await eventually('the executor subscribes', () => agent.callsOf('SUBSCRIBE').length === 1);
    expect(agent.callsOf('SUBSCRIBE')[0]!.from).to.equal(spawned.pid);
    expect(agent.callsOf('SUBSCRIBE')[0]!.call.executor_id).to.deep.equal({ value: 'e1' });
    expect(host.executorCount).to.equal(1);
  });

  it('runs the task an agent launches on a spawned executor, which then exits', async () => {
    const { agent, host, spawn } = await setup();
    const directory = await sandboxes.make();
    const { pid } = await spawn('e1', { directory });
    await eventually('the executor subscribes', () => agent.callsOf('SUBSCRIBE').length === 1);
    agent.launch(pid!, commandTask('t1', 'echo hi'));
    await eventually('the task finishes', () => agent.last('t1')?.state === 'TASK_FINISHED');
    await eventually('the executor exits', () => host.executorCount === 0);
    expect(await readFile(path.join(directory, 'stdout'), 'utf8')).to.equal('hi\n');
  });

  it('takes task rlimits from TESSERA_RLIMIT_* in the Spawn environment, and keeps them out of the tasks', async () => {
    const { agent, spawn } = await setup();
    const directory = await sandboxes.make();
    const environment = { variables: [{ name: 'TESSERA_RLIMIT_NOFILE', value: '64' }, { name: 'FOO', value: 'bar' }] };
    const { pid } = await spawn('e1', { directory, environment });
    await eventually('the executor subscribes', () => agent.callsOf('SUBSCRIBE').length === 1);
    agent.launch(pid!, commandTask('t1', 'ulimit -n; echo "$FOO ${TESSERA_RLIMIT_NOFILE:-unset}"'));
    await eventually('the task finishes', () => agent.last('t1')?.state === 'TASK_FINISHED');
    expect(await readFile(path.join(directory, 'stdout'), 'utf8')).to.equal('64\nbar unset\n');
  });

  it('refuses what it cannot run, saying why', async () => {
    const { spawn, host } = await setup();
    const refusal = async (id: string, extra: Partial<Messages['executor.Spawn']>) => (await spawn(id, extra)).error;
    expect(await refusal('e1', { directory: '/no/such/sandbox' })).to.equal('sandbox /no/such/sandbox: ENOENT');
    expect(await refusal('e2', { directory: 'relative/sandbox' })).to.equal("sandbox 'relative/sandbox' is not an absolute path");
    expect(await refusal('e3', { agent: 'agent-without-node' })).to.equal("agent 'agent-without-node' is not a pid (name@node)");
    expect(await refusal('e4', { environment: { variables: [{ name: 'TESSERA_RLIMIT_NOFILE', value: 'many' }] } }))
      .to.equal("TESSERA_RLIMIT_NOFILE must be a non-negative integer, got 'many'");
    expect(await refusal('e5', { executor_info: { executor_id: { value: 'e5' }, framework_id: { value: 'f2' } } }))
      .to.equal('executor_info names framework f2, not f1');
    expect((await spawn('e6')).pid).to.be.a('string');
    expect(await refusal('e6', {})).to.equal('executor e6 of framework f1 already runs here');
    expect(host.executorCount).to.equal(1);
  });

  it('names executors uniquely in its runtime, across hosts that replace one another', async () => {
    const { agent, host, hostRuntime, spawn } = await setup();
    expect((await spawn('e1')).pid).to.equal('command-executor-0@host-node');
    hostRuntime.terminate(host.pid);
    await hostRuntime.wait(host.pid);
    const successor = hostRuntime.spawn(new ExecutorHost({ runtime: hostRuntime, onIdle: () => {} }));
    const spawned = await hostRuntime.ask(successor.pid, 'executor.Spawn', {
      framework_id: { value: 'f1' }, executor_info: { executor_id: { value: 'e2' } }, directory: await sandboxes.make(), agent: agent.pid,
    }, { expect: 'executor.Spawned' });
    expect(spawned.pid).to.equal('command-executor-1@host-node');
  });

  it('calls onIdle when it has run no executor for idleMs', async () => {
    const clock = new ManualClock();
    const { idle } = await setup({ idleMs: 1_000, clock });
    clock.advance(999);
    await clock.settle();
    expect(idle).to.deep.equal([]);
    clock.advance(1);
    await clock.settle();
    expect(idle).to.deep.equal([0]);
  });

  it('is not idle while an executor runs, and is once the last one has exited', async () => {
    const { agent, host, idle, spawn } = await setup({ idleMs: 100 });
    const { pid } = await spawn('e1');
    await eventually('the executor subscribes', () => agent.callsOf('SUBSCRIBE').length === 1);
    agent.launch(pid!, commandTask('t1', 'sleep 0.3'));
    await eventually('the task finishes', () => agent.last('t1')?.state === 'TASK_FINISHED');
    expect(idle).to.deep.equal([]);
    await eventually('the host is idle', () => idle.length === 1);
    expect(idle).to.deep.equal([0]);
    expect(host.executorCount).to.equal(0);
  });

  it('on SHUTDOWN shuts every executor down, kills their tasks, calls onIdle, and takes no more executors', async () => {
    const { agentRuntime, agent, host, launcher, idle, spawn } = await setup();
    const first = await spawn('e1', { shutdown_grace_period_ms: 200 });
    const second = await spawn('e2', { shutdown_grace_period_ms: 200 });
    await eventually('both subscribe', () => agent.callsOf('SUBSCRIBE').length === 2);
    agent.launch(first.pid!, commandTask('t1', 'sleep 600'));
    agent.launch(second.pid!, commandTask('t2', "trap '' TERM; sleep 600"));
    await eventually('both run', () => agent.last('t1')?.state === 'TASK_RUNNING' && agent.last('t2')?.state === 'TASK_RUNNING');
    agentRuntime.post(host.pid, 'executor.Event', { type: 'SHUTDOWN' });
    await eventually('the host is idle', () => idle.length === 1, 5_000);
    expect(host.executorCount).to.equal(0);
    expect([agent.last('t1')!.state, agent.last('t2')!.state]).to.deep.equal(['TASK_KILLED', 'TASK_KILLED']);
    expect((await Promise.all(launcher.pids.map(isAlive))).some(Boolean)).to.equal(false);
    expect((await spawn('e3')).error).to.equal('the executor host is shutting down');
  });
});
