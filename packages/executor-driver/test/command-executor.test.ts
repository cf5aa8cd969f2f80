import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CommandExecutorOptions } from '../src/command-executor.js';
import { ExecutorRigs } from './executor-rig.js';
import { commandTask } from './fake-agent.js';
import { eventually, groupMembers, isAlive } from './support.js';

const rigs = new ExecutorRigs();

/** A fake agent and a command executor subscribed to it, on the system clock, running real processes. */
async function setup(options: Partial<CommandExecutorOptions> = {}) {
  const rig = await rigs.start(options);
  const terminal = (taskId: string) => eventually(`task ${taskId} ends`, () => ['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED'].includes(rig.agent.last(taskId)?.state ?? ''));
  return { ...rig, terminal };
}

afterEach(() => rigs.cleanUp());

describe('CommandExecutor with real processes', () => {
  it('runs a shell command in the sandbox: STARTING, RUNNING, FINISHED, output in <sandbox>/stdout', async () => {
    const { agent, executor, directory, terminal } = await setup();
    agent.launch(executor.pid, commandTask('t1', 'echo hi; echo oops >&2; pwd'));
    await terminal('t1');
    expect(agent.states('t1')).to.deep.equal(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    expect(agent.last('t1')!.message).to.equal('Command exited with status 0');
    expect(await readFile(path.join(directory, 'stdout'), 'utf8')).to.equal(`hi\n${directory}\n`);
    expect(await readFile(path.join(directory, 'stderr'), 'utf8')).to.equal('oops\n');
  });

  it('reports a non-zero exit as TASK_FAILED naming the status', async () => {
    const { agent, executor, terminal } = await setup();
    agent.launch(executor.pid, commandTask('t1', 'exit 3'));
    await terminal('t1');
    expect(agent.last('t1')).to.deep.include({ state: 'TASK_FAILED', message: 'Command exited with status 3', reason: 'REASON_COMMAND_EXECUTOR_FAILED' });
  });

  it('fails a task without a command, naming what is missing, and never starts it', async () => {
    const { agent, executor, terminal, launcher } = await setup();
    agent.launch(executor.pid, commandTask('t1', '  '));
    await terminal('t1');
    expect(agent.states('t1')).to.deep.equal(['TASK_FAILED']);
    expect(agent.last('t1')!.message).to.match(/t1: the task's command is empty \(CommandInfo\.value\)/);
    expect(launcher.specs).to.deep.equal([]);
  });

  it('gives the task the sandbox, its id, and its CommandInfo environment', async () => {
    const { agent, executor, directory, terminal } = await setup({ environment: { FROM_EXECUTOR: 'x' } });
    const task = commandTask('t1', 'echo "$MESOS_TASK_ID $MESOS_SANDBOX $TESSERA_SANDBOX $FROM_EXECUTOR $GREETING"');
    task.command!.environment = { variables: [{ name: 'GREETING', value: 'hello' }] };
    agent.launch(executor.pid, task);
    await terminal('t1');
    expect(await readFile(path.join(directory, 'stdout'), 'utf8')).to.equal(`t1 ${directory} ${directory} x hello\n`);
  });

  it('execs an executable with its arguments when shell is false (arguments[0] is argv[0])', async () => {
    const { agent, executor, directory, terminal } = await setup();
    agent.launch(executor.pid, commandTask('t1', undefined, { command: { shell: false, value: 'printf', arguments: ['printf', '%s|%s', 'a b', '$HOME'] } }));
    await terminal('t1');
    expect(agent.last('t1')!.state).to.equal('TASK_FINISHED');
    expect(await readFile(path.join(directory, 'stdout'), 'utf8')).to.equal('a b|$HOME');
  });

  it('fails a task whose executable does not exist', async () => {
    const { agent, executor, terminal } = await setup();
    agent.launch(executor.pid, commandTask('t1', undefined, { command: { shell: false, value: '/no/such/program' } }));
    await terminal('t1');
    expect(agent.last('t1')).to.deep.include({ state: 'TASK_FAILED', reason: 'REASON_COMMAND_EXECUTOR_FAILED' });
    expect(agent.last('t1')!.message).to.match(/^Failed to launch: .*ENOENT/);
  });

  it('kills a task: TASK_KILLING, SIGTERM to its group, TASK_KILLED, the process gone', async () => {
    const { agent, executor, terminal, launcher } = await setup();
    agent.launch(executor.pid, commandTask('t1', 'sleep 600'));
    await eventually('t1 runs', () => agent.last('t1')?.state === 'TASK_RUNNING');
    const [pid] = launcher.pids;
    agent.kill(executor.pid, 't1', 2_000);
    await terminal('t1');
    expect(agent.states('t1')).to.deep.equal(['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_KILLED']);
    expect(agent.last('t1')!.message).to.equal('Command terminated with signal SIGTERM');
    expect(await isAlive(pid!)).to.equal(false);
  });

  it('kills the whole process group, not just its leader', async () => {
    const { agent, executor, terminal, launcher } = await setup();
    agent.launch(executor.pid, commandTask('t1', 'sleep 600 & sleep 600'));
    await eventually('t1 runs', () => agent.last('t1')?.state === 'TASK_RUNNING');
    const [leader] = launcher.pids;
    let members: number[] = [];
    await eventually('both sleeps run', async () => (members = await groupMembers(leader!)).length >= 2);
    agent.kill(executor.pid, 't1', 2_000);
    await terminal('t1');
    await eventually('every process of the group is gone', async () => (await Promise.all(members.map(isAlive))).every((alive) => !alive), 2_000);
  });

  it('SIGKILLs a task that ignores SIGTERM once the grace period is over', async () => {
    const { agent, executor, terminal, launcher } = await setup();
    agent.launch(executor.pid, commandTask('t1', "trap '' TERM; sleep 600"));
    await eventually('t1 runs', () => agent.last('t1')?.state === 'TASK_RUNNING');
    const [leader] = launcher.pids;
    let members: number[] = [];
    await eventually('the sleep runs', async () => (members = await groupMembers(leader!)).length >= 2);
    const started = performance.now();
    agent.kill(executor.pid, 't1', 200);
    await terminal('t1');
    expect(performance.now() - started).to.be.at.least(190);
    expect(agent.last('t1')).to.deep.include({ state: 'TASK_KILLED', message: 'Command terminated with signal SIGKILL' });
    await eventually('every process of the group is gone', async () => (await Promise.all(members.map(isAlive))).every((alive) => !alive), 2_000);
  });

  it('runs a task group; when one task fails the others are killed', async () => {
    const { agent, executor, terminal, launcher } = await setup();
    agent.launchGroup(executor.pid, [commandTask('a', 'sleep 600'), commandTask('b', 'sleep 600'), commandTask('c', 'sleep 0.2; exit 1')]);
    await terminal('c');
    await terminal('a');
    await terminal('b');
    expect(agent.last('c')!.state).to.equal('TASK_FAILED');
    expect(agent.states('a')).to.deep.equal(['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_KILLED']);
    expect(agent.states('b')).to.deep.equal(['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_KILLED']);
    expect((await Promise.all(launcher.pids.map(isAlive))).some(Boolean)).to.equal(false);
  });

  it('terminates itself once every task ended and each terminal update is acknowledged', async () => {
    const { agent, executor, executorRuntime, terminal } = await setup();
    agent.launch(executor.pid, commandTask('t1', 'true'));
    await terminal('t1');
    await executorRuntime.wait(executor.pid);
    expect(executorRuntime.processes()).to.deep.equal([]);
  });

  it('waits for the acknowledgement of the terminal update before terminating', async () => {
    const { agent, executor, executorRuntime, terminal } = await setup();
    agent.autoAcknowledge = false;
    agent.launch(executor.pid, commandTask('t1', 'true'));
    await terminal('t1');
    expect(executorRuntime.processes()).to.deep.equal([executor.pid]);
    agent.acknowledge(executor.pid, agent.last('t1')!);
    await executorRuntime.wait(executor.pid);
    expect(executorRuntime.processes()).to.deep.equal([]);
  });

  it('on SHUTDOWN kills every task and terminates', async () => {
    const { agent, executor, executorRuntime, launcher } = await setup({ shutdownGracePeriodMs: 1_000 });
    agent.launch(executor.pid, commandTask('t1', 'sleep 600'));
    agent.launch(executor.pid, commandTask('t2', "trap '' TERM; sleep 600"));
    await eventually('both run', () => agent.last('t1')?.state === 'TASK_RUNNING' && agent.last('t2')?.state === 'TASK_RUNNING');
    agent.shutdown(executor.pid);
    await executorRuntime.wait(executor.pid);
    expect(agent.last('t1')!.state).to.equal('TASK_KILLED');
    expect(agent.last('t2')!.state).to.equal('TASK_KILLED');
    expect((await Promise.all(launcher.pids.map(isAlive))).some(Boolean)).to.equal(false);
  });

  it('kills its tasks when its runtime stops under them', async () => {
    const { agent, executor, executorRuntime, launcher } = await setup();
    agent.launch(executor.pid, commandTask('t1', 'sleep 600'));
    await eventually('t1 runs', () => agent.last('t1')?.state === 'TASK_RUNNING');
    await executorRuntime.stop();
    await eventually('the task is gone', async () => !(await isAlive(launcher.pids[0]!)), 2_000);
  });
});
