import { expect } from 'chai';
import { TASK_STATES, TERMINAL_TASK_STATES, type TaskState } from '@tessera/protocol';
import { applyTaskState, isTerminal, newTask, taskState, type TaskSnapshot } from '../src/lifecycle/task-lifecycle.js';

/** Applies updates in order, failing the test on the first refused one. */
function through(...states: TaskState[]): TaskSnapshot {
  let snapshot = newTask();
  for (const state of states) {
    const result = applyTaskState(snapshot, state);
    if (!result.ok) throw new Error(result.error);
    snapshot = result.snapshot;
  }
  return snapshot;
}

describe('task lifecycle', () => {
  it('starts in TASK_STAGING', () => {
    expect(taskState(newTask())).to.equal('TASK_STAGING');
  });

  it('walks STAGING, STARTING, RUNNING, KILLING to KILLED and is then terminal', () => {
    const snapshot = through('TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_KILLED');
    expect(taskState(snapshot)).to.equal('TASK_KILLED');
    expect(isTerminal(snapshot)).to.equal(true);
  });

  it('accepts a repeated state (a health change while RUNNING)', () => {
    expect(taskState(through('TASK_RUNNING', 'TASK_RUNNING'))).to.equal('TASK_RUNNING');
  });

  it('refuses to go back from RUNNING to STARTING, naming both states', () => {
    const result = applyTaskState(through('TASK_RUNNING'), 'TASK_STARTING');
    expect(result).to.deep.equal({ ok: false, error: 'a task in TASK_RUNNING cannot become TASK_STARTING' });
  });

  it('refuses every update to a task in a terminal state', () => {
    for (const terminal of TERMINAL_TASK_STATES) {
      const done = through(terminal);
      for (const next of TASK_STATES) expect(applyTaskState(done, next).ok, `${terminal} -> ${next}`).to.equal(false);
    }
  });

  it('lets an unreachable task come back in the state its agent reports', () => {
    expect(taskState(through('TASK_RUNNING', 'TASK_UNREACHABLE', 'TASK_RUNNING', 'TASK_FINISHED'))).to.equal('TASK_FINISHED');
  });

  it('leaves the snapshot it was given unchanged', () => {
    const running = through('TASK_RUNNING');
    applyTaskState(running, 'TASK_FINISHED');
    expect(taskState(running)).to.equal('TASK_RUNNING');
  });
});
