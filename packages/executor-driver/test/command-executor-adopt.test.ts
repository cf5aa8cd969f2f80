import { expect } from 'chai';
import type { TaskExit, TaskLauncher } from '../src/task-launcher.js';
import { commandTask } from './fake-agent.js';
import { manualExecutor } from './manual-executor.js';
import { FakeLauncher } from './support.js';

/** A FakeLauncher whose tasks a revived executor can adopt by key; the test ends them. */
class AdoptingLauncher extends FakeLauncher {
  readonly adopted = new Map<string, { handle: number; exit: (exit: TaskExit) => void }>();
  private nextHandle = 5000;
  adopt(key: string, onExit: (exit: TaskExit) => void): number {
    const handle = this.nextHandle++;
    this.adopted.set(key, { handle, exit: onExit });
    return handle;
  }
}

/** A command executor revived on `recovered` tasks (as after its agent's restart), on a manual clock. */
const revived = (launcher: TaskLauncher, recovered = [commandTask('t1', 'sleep 600')]) => manualExecutor({ launcher, recoveredTasks: recovered });

describe('CommandExecutor revived on the tasks of its previous incarnation', () => {
  it('adopts each task by its key, launches nothing, and reports only how it ends', async () => {
    const launcher = new AdoptingLauncher();
    const { clock, agent } = await revived(launcher);
    expect([...launcher.adopted.keys()]).to.deep.equal(['/sandbox#t1']);
    expect(launcher.launched, 'nothing launched again').to.deep.equal([]);
    expect(agent.states('t1'), 'no STARTING or RUNNING again').to.deep.equal([]);
    launcher.adopted.get('/sandbox#t1')!.exit({ code: 0, signal: null });
    await clock.settle();
    expect(agent.states('t1')).to.deep.equal(['TASK_FINISHED']);
  });

  it('kills an adopted task through the handle the launcher gave', async () => {
    const launcher = new AdoptingLauncher();
    const { clock, agent, executor } = await revived(launcher);
    agent.kill(executor.pid, 't1');
    await clock.settle();
    expect(launcher.signalsTo(launcher.adopted.get('/sandbox#t1')!.handle)).to.deep.equal(['SIGTERM']);
  });

  it('names the task launched first by the key it is adopted by later', async () => {
    const launcher = new AdoptingLauncher();
    const { clock, agent, executor } = await revived(launcher, []);
    agent.launch(executor.pid, commandTask('t2', 'sleep 600'));
    await clock.settle();
    expect(launcher.task('t2').spec.key).to.equal('/sandbox#t2');
  });

  it('fails a task it cannot adopt when its launcher keeps no tasks across restarts', async () => {
    const { clock, agent } = await revived(new FakeLauncher());
    await clock.settle();
    expect(agent.last('t1')).to.deep.include({ state: 'TASK_FAILED', reason: 'REASON_EXECUTOR_REREGISTRATION_TIMEOUT' });
  });
});
