import { expect } from 'chai';
import { commandTask } from './fake-agent.js';
import { manualExecutor, type ManualExecutorOptions } from './manual-executor.js';
import type { FakeLauncher } from './support.js';

const ms = (n: number) => ({ grace_period: { nanoseconds: n * 1_000_000 } });

/** A command executor on a manual clock whose tasks are fakes; the framework has `capabilities` (default TASK_KILLING_STATE). */
const setup = (options: ManualExecutorOptions<FakeLauncher> = {}, capabilities?: string[]) =>
  manualExecutor({ ...options, ...(capabilities === undefined ? {} : { capabilities }) });

describe('CommandExecutor kill policy (manual clock, fake processes)', () => {
  it('escalates to SIGKILL after the default 3 s grace period', async () => {
    const { clock, agent, executor, launcher, after } = await setup();
    agent.launch(executor.pid, commandTask('t1', 'sleep 600'));
    await clock.settle();
    const { pid } = launcher.task('t1');
    agent.kill(executor.pid, 't1');
    await clock.settle();
    expect(launcher.signalsTo(pid)).to.deep.equal(['SIGTERM']);
    await after(2_999);
    expect(launcher.signalsTo(pid)).to.deep.equal(['SIGTERM']);
    await after(1);
    expect(launcher.signalsTo(pid)).to.deep.equal(['SIGTERM', 'SIGKILL']);
  });

  it("takes the grace period from the task's kill policy, and the KILL's over it", async () => {
    const { clock, agent, executor, launcher, after } = await setup();
    agent.launch(executor.pid, commandTask('t1', 'sleep 600', { kill_policy: ms(500) }));
    agent.launch(executor.pid, commandTask('t2', 'sleep 600', { kill_policy: ms(500) }));
    await clock.settle();
    agent.kill(executor.pid, 't1');
    agent.kill(executor.pid, 't2', 100);
    await clock.settle();
    await after(100);
    expect(launcher.signalsTo(launcher.task('t2').pid)).to.deep.equal(['SIGTERM', 'SIGKILL']);
    expect(launcher.signalsTo(launcher.task('t1').pid)).to.deep.equal(['SIGTERM']);
    await after(400);
    expect(launcher.signalsTo(launcher.task('t1').pid)).to.deep.equal(['SIGTERM', 'SIGKILL']);
  });

  it('lets a second KILL hasten the SIGKILL, never delay it, and reports TASK_KILLING once', async () => {
    const { clock, agent, executor, launcher, after } = await setup();
    agent.launch(executor.pid, commandTask('t1', 'sleep 600'));
    await clock.settle();
    const { pid } = launcher.task('t1');
    agent.kill(executor.pid, 't1', 10_000);
    await clock.settle();
    await after(1_000);
    agent.kill(executor.pid, 't1', 60_000);
    agent.kill(executor.pid, 't1', 500);
    await clock.settle();
    await after(499);
    expect(launcher.signalsTo(pid)).to.deep.equal(['SIGTERM']);
    await after(1);
    expect(launcher.signalsTo(pid)).to.deep.equal(['SIGTERM', 'SIGKILL']);
    expect(agent.states('t1')).to.deep.equal(['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING']);
  });

  it('sends no TASK_KILLING to a framework without the TASK_KILLING_STATE capability, and kills all the same', async () => {
    const { clock, agent, executor, launcher, after } = await setup({}, ['PARTITION_AWARE']);
    agent.launch(executor.pid, commandTask('t1', 'sleep 600'));
    await clock.settle();
    const task = launcher.task('t1');
    agent.kill(executor.pid, 't1', 1_000);
    await clock.settle();
    await after(1_000);
    expect(launcher.signalsTo(task.pid)).to.deep.equal(['SIGTERM', 'SIGKILL']);
    task.exit({ code: null, signal: 'SIGKILL' });
    await clock.settle();
    expect(agent.states('t1')).to.deep.equal(['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLED']);
  });

  it('sends no TASK_KILLING for a SHUTDOWN or a group sibling to a framework without the capability either', async () => {
    const { clock, agent, executor, launcher } = await setup({}, []);
    agent.launchGroup(executor.pid, [commandTask('a', 'sleep 600'), commandTask('b', 'sleep 600')]);
    agent.launch(executor.pid, commandTask('c', 'sleep 600'));
    await clock.settle();
    launcher.task('a').exit({ code: 1, signal: null });
    await clock.settle();
    agent.shutdown(executor.pid);
    await clock.settle();
    expect(launcher.signalsTo(launcher.task('b').pid)).to.deep.equal(['SIGTERM']);
    expect(launcher.signalsTo(launcher.task('c').pid)).to.deep.equal(['SIGTERM']);
    expect(agent.updates().map((u) => u.state)).to.not.include('TASK_KILLING');
  });

  it('sends no SIGKILL once the task has exited within its grace period, but clears its group at exit', async () => {
    const { clock, agent, executor, launcher, after } = await setup();
    agent.launch(executor.pid, commandTask('t1', 'sleep 600'));
    await clock.settle();
    const task = launcher.task('t1');
    agent.kill(executor.pid, 't1', 1_000);
    await clock.settle();
    task.exit({ code: null, signal: 'SIGTERM' });
    await after(5_000);
    // The one SIGKILL is the sweep of the group at the leader's exit, not the escalation.
    expect(launcher.signalsTo(task.pid)).to.deep.equal(['SIGTERM', 'SIGKILL']);
    expect(agent.states('t1').at(-1)).to.equal('TASK_KILLED');
  });

  it('on SHUTDOWN kills with the shutdown grace period and terminates once the tasks are gone', async () => {
    const { clock, agent, executor, executorRuntime, launcher, after } = await setup({ shutdownGracePeriodMs: 2_000 });
    agent.launch(executor.pid, commandTask('t1', 'sleep 600'));
    await clock.settle();
    const task = launcher.task('t1');
    agent.shutdown(executor.pid);
    await clock.settle();
    await after(1_999);
    expect(launcher.signalsTo(task.pid)).to.deep.equal(['SIGTERM']);
    await after(1);
    expect(launcher.signalsTo(task.pid)).to.deep.equal(['SIGTERM', 'SIGKILL']);
    task.exit({ code: null, signal: 'SIGKILL' });
    await clock.settle();
    expect(executorRuntime.processes()).to.deep.equal([]);
    expect(agent.last('t1')!.state).to.equal('TASK_KILLED');
  });

  it('after SHUTDOWN, exits a second after the last task ended even without an acknowledgement', async () => {
    const { clock, agent, executor, executorRuntime, launcher, after } = await setup();
    agent.autoAcknowledge = false;
    agent.launch(executor.pid, commandTask('t1', 'sleep 600'));
    await clock.settle();
    agent.shutdown(executor.pid);
    await clock.settle();
    launcher.task('t1').exit({ code: null, signal: 'SIGTERM' });
    await after(999);
    expect(executorRuntime.processes()).to.deep.equal([executor.pid]);
    await after(1);
    expect(executorRuntime.processes()).to.deep.equal([]);
  });

  it('exits at once on SHUTDOWN when it runs no task', async () => {
    const { clock, agent, executor, executorRuntime } = await setup();
    agent.shutdown(executor.pid);
    await clock.settle();
    expect(executorRuntime.processes()).to.deep.equal([]);
  });

  it('does not start a task launched while it shuts down: TASK_KILLED at once', async () => {
    const { clock, agent, executor, launcher } = await setup();
    agent.launch(executor.pid, commandTask('t1', 'sleep 600'));
    agent.shutdown(executor.pid);
    agent.launch(executor.pid, commandTask('t2', 'sleep 600'));
    await clock.settle();
    expect(launcher.launched.map((l) => l.spec.env.MESOS_TASK_ID)).to.deep.equal(['t1']);
    expect(agent.states('t2')).to.deep.equal(['TASK_KILLED']);
    expect(agent.last('t2')).to.deep.include({ reason: 'REASON_EXECUTOR_TERMINATED' });
  });

  it('does not start the rest of a task group once one of its tasks failed to launch', async () => {
    const { clock, agent, executor, launcher } = await setup();
    agent.launchGroup(executor.pid, [commandTask('a', 'sleep 600'), commandTask('b', undefined), commandTask('c', 'sleep 600')]);
    await clock.settle();
    expect(launcher.launched.map((l) => l.spec.env.MESOS_TASK_ID)).to.deep.equal(['a']);
    expect(launcher.signalsTo(launcher.task('a').pid)).to.deep.equal(['SIGTERM']);
    expect(agent.states('b')).to.deep.equal(['TASK_FAILED']);
    expect(agent.states('c')).to.deep.equal(['TASK_KILLED']);
  });

  it('kills the rest of a group when one of its tasks is killed, but not when one finishes', async () => {
    const { clock, agent, executor, launcher } = await setup();
    agent.launchGroup(executor.pid, [commandTask('a', 'true'), commandTask('b', 'sleep 600'), commandTask('c', 'sleep 600')]);
    await clock.settle();
    launcher.task('a').exit({ code: 0, signal: null });
    await clock.settle();
    expect(launcher.signalsTo(launcher.task('b').pid)).to.deep.equal([]);
    agent.kill(executor.pid, 'b');
    await clock.settle();
    launcher.task('b').exit({ code: null, signal: 'SIGTERM' });
    await clock.settle();
    expect(agent.states('c')).to.deep.equal(['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING']);
    expect(launcher.signalsTo(launcher.task('c').pid)).to.deep.equal(['SIGTERM']);
  });

  it('ignores a second launch of the same task id', async () => {
    const { clock, agent, executor, launcher } = await setup();
    agent.launch(executor.pid, commandTask('t1', 'sleep 600'));
    agent.launch(executor.pid, commandTask('t1', 'sleep 600'));
    await clock.settle();
    expect(launcher.launched).to.have.length(1);
    expect(agent.states('t1')).to.deep.equal(['TASK_STARTING', 'TASK_RUNNING']);
  });
});
