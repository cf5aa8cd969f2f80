import { expect } from 'chai';
import type { HealthCheck, TaskInfo } from '@tessera/protocol';
import { commandTask } from './fake-agent.js';
import { manualExecutor, type ManualExecutorOptions } from './manual-executor.js';
import type { FakeLauncher } from './support.js';

/** A command executor on a manual clock whose tasks and COMMAND checks are fakes the test ends. */
async function setup(capabilities: string[] = ['TASK_KILLING_STATE'], options: ManualExecutorOptions<FakeLauncher> = {}) {
  const { clock, agent, executor, launcher, after } = await manualExecutor({ ...options, capabilities });
  /** The launches of COMMAND checks (the task itself is launched first, with the same MESOS_TASK_ID). */
  const checks = () => launcher.launched.filter((l) => l.spec.args.some((a) => a.includes('check-health')));
  /** Ends the latest check run with `code`. */
  const checkExits = async (code: number): Promise<void> => {
    checks().at(-1)!.onExit({ code, signal: null });
    await clock.settle();
  };
  return { clock, agent, executor, launcher, after, checks, checkExits };
}

/** A COMMAND check every second from the start, no grace period, killing at the second failure. */
const commandCheck = (extra: Partial<HealthCheck> = {}): HealthCheck => ({
  type: 'COMMAND', command: { value: 'check-health --now' }, delay_seconds: 0, interval_seconds: 1, grace_period_seconds: 0, consecutive_failures: 2, ...extra,
});

const checkedTask = (check: HealthCheck, extra: Partial<TaskInfo> = {}) => commandTask('t1', 'serve', { health_check: check, ...extra });

describe('CommandExecutor health checks (manual clock, fake processes)', () => {
  it('starts checking at TASK_RUNNING and reports the first success as TASK_RUNNING, healthy, with the health reason', async () => {
    const { agent, executor, clock, checks, checkExits } = await setup();
    agent.launch(executor.pid, checkedTask(commandCheck()));
    await clock.settle();
    expect(agent.states('t1')).to.deep.equal(['TASK_STARTING', 'TASK_RUNNING']);
    expect(checks()).to.have.length(1);
    expect(checks()[0]!.spec).to.deep.include({ cwd: '/sandbox', stdoutPath: '/sandbox/stderr', stderrPath: '/sandbox/stderr' });
    expect(checks()[0]!.spec.env).to.include({ MESOS_TASK_ID: 't1', MESOS_SANDBOX: '/sandbox' });
    await checkExits(0);
    expect(agent.states('t1')).to.deep.equal(['TASK_STARTING', 'TASK_RUNNING', 'TASK_RUNNING']);
    expect(agent.last('t1')).to.deep.include({ state: 'TASK_RUNNING', healthy: true, reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED' });
    expect(agent.last('t1')).to.not.have.property('message');
  });

  it('reports nothing more while the task stays healthy', async () => {
    const { agent, executor, clock, after, checks, checkExits } = await setup();
    agent.launch(executor.pid, checkedTask(commandCheck()));
    await clock.settle();
    for (let i = 0; i < 3; i++) {
      await checkExits(0);
      await after(1_000);
    }
    expect(checks()).to.have.length(4);
    expect(agent.states('t1')).to.deep.equal(['TASK_STARTING', 'TASK_RUNNING', 'TASK_RUNNING']);
  });

  it('kills a task that fails consecutive_failures checks with its kill policy: unhealthy updates, TASK_KILLING, TASK_KILLED healthy false', async () => {
    const { agent, executor, clock, after, launcher, checkExits } = await setup();
    agent.launch(executor.pid, checkedTask(commandCheck(), { kill_policy: { grace_period: { nanoseconds: 2_000_000_000 } } }));
    await clock.settle();
    const task = launcher.task('t1');
    await checkExits(0);
    await after(1_000);
    await checkExits(1);
    expect(agent.last('t1')).to.deep.include({
      state: 'TASK_RUNNING', healthy: false, reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED', message: 'the health check command exited with status 1',
    });
    expect(launcher.signalsTo(task.pid)).to.deep.equal([]);
    await after(1_000);
    await checkExits(1);
    expect(launcher.signalsTo(task.pid)).to.deep.equal(['SIGTERM']);
    await after(1_999);
    expect(launcher.signalsTo(task.pid)).to.deep.equal(['SIGTERM']);
    await after(1);
    expect(launcher.signalsTo(task.pid)).to.deep.equal(['SIGTERM', 'SIGKILL']);
    task.exit({ code: null, signal: 'SIGKILL' });
    await clock.settle();
    expect(agent.states('t1')).to.deep.equal(['TASK_STARTING', 'TASK_RUNNING', 'TASK_RUNNING', 'TASK_RUNNING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_KILLED']);
    expect(agent.updates().filter((u) => u.task_id.value === 't1').map((u) => u.healthy)).to.deep.equal([undefined, undefined, true, false, false, undefined, false]);
    // Mesos gives a health-check kill no reason of its own: TASK_KILLED, healthy false.
    expect(agent.last('t1')).to.deep.include({ state: 'TASK_KILLED', healthy: false, message: 'Command terminated with signal SIGKILL' });
    expect(agent.last('t1')).to.not.have.property('reason');
  });

  it('runs no check once a KILL has begun, and the killed task ends without a health verdict', async () => {
    const { agent, executor, clock, after, launcher, checks } = await setup();
    agent.launch(executor.pid, checkedTask(commandCheck()));
    await clock.settle();
    agent.kill(executor.pid, 't1');
    await clock.settle();
    // The check in flight is aborted: its process group gets SIGKILL.
    expect(launcher.signalsTo(checks()[0]!.pid)).to.deep.equal(['SIGKILL']);
    await after(10_000);
    expect(checks()).to.have.length(1);
    launcher.task('t1').exit({ code: null, signal: 'SIGTERM' });
    await clock.settle();
    expect(agent.last('t1')).to.deep.include({ state: 'TASK_KILLED' });
    expect(agent.last('t1')).to.not.have.property('healthy');
  });

  it('fails a task whose health check cannot run before starting it, naming the problem', async () => {
    const { agent, executor, clock, launcher } = await setup();
    agent.launch(executor.pid, checkedTask({ type: 'HTTP', http: { port: 8080, path: 'health' } }));
    await clock.settle();
    expect(launcher.launched).to.deep.equal([]);
    expect(agent.states('t1')).to.deep.equal(['TASK_FAILED']);
    expect(agent.last('t1')).to.deep.include({
      reason: 'REASON_TASK_INVALID', message: "Task t1: invalid health check: the path 'health' of an HTTP health check must start with '/'",
    });
  });

  it("runs COMMAND checks in the task's cgroups, without its namespaces or limits", async () => {
    const container = { cgroups: ['/sys/fs/cgroup/memory/tessera/c1'], pid_namespace: true, filesystem: { private_tmp: true, read_only_host: false } };
    const { agent, executor, clock, launcher, checks } = await setup(undefined, { container });
    agent.launch(executor.pid, checkedTask(commandCheck()));
    await clock.settle();
    expect(launcher.task('t1').spec.container).to.deep.equal(container);
    expect(checks()[0]!.spec.container).to.deep.equal({ cgroups: ['/sys/fs/cgroup/memory/tessera/c1'] });
  });

  it('sends no TASK_KILLING before a health-check kill to a framework without the capability', async () => {
    const { agent, executor, clock, launcher, checkExits, after } = await setup([]);
    agent.launch(executor.pid, checkedTask(commandCheck({ consecutive_failures: 1 })));
    await clock.settle();
    await checkExits(1);
    expect(launcher.signalsTo(launcher.task('t1').pid)).to.deep.equal(['SIGTERM']);
    launcher.task('t1').exit({ code: null, signal: 'SIGTERM' });
    await after(0);
    expect(agent.states('t1')).to.deep.equal(['TASK_STARTING', 'TASK_RUNNING', 'TASK_RUNNING', 'TASK_KILLED']);
  });

  it('stops checking a task that ended on its own', async () => {
    const { agent, executor, clock, after, launcher, checks } = await setup();
    agent.launch(executor.pid, checkedTask(commandCheck({ delay_seconds: 5 })));
    await clock.settle();
    launcher.task('t1').exit({ code: 0, signal: null });
    await after(60_000);
    expect(checks()).to.deep.equal([]);
    expect(agent.states('t1')).to.deep.equal(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  });
});
