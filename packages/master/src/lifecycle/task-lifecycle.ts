import { TERMINAL_TASK_STATES, type TaskState } from '@tessera/protocol';
import { TableMachine, type LifecycleSnapshot } from './table-machine.js';

/** A status update for the task: the state it reports. */
export type TaskEvent = { type: TaskState };

const TERMINAL = [...TERMINAL_TASK_STATES];

/**
 * Which states a live task may move to (Mesos's task state diagram). A state may repeat (a
 * RUNNING update that only changes health). An unreachable task comes back in whatever state its
 * agent reports when it re-registers. Terminal states go nowhere.
 */
const NEXT: Record<string, readonly TaskState[]> = {
  TASK_STAGING: ['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_UNREACHABLE', ...TERMINAL],
  TASK_STARTING: ['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_UNREACHABLE', ...TERMINAL],
  TASK_RUNNING: ['TASK_RUNNING', 'TASK_KILLING', 'TASK_UNREACHABLE', ...TERMINAL],
  TASK_KILLING: ['TASK_KILLING', 'TASK_UNREACHABLE', ...TERMINAL],
  TASK_UNREACHABLE: ['TASK_UNREACHABLE', 'TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', ...TERMINAL],
};

/** The task lifecycle, from STAGING (the master accepted the launch) to a terminal state. */
export const taskMachine = new TableMachine<TaskState, TaskState>(
  'task',
  'TASK_STAGING',
  Object.fromEntries([
    ...Object.entries(NEXT).map(([state, next]) => [state, Object.fromEntries(next.map((n) => [n, n]))]),
    ...TERMINAL.map((state) => [state, {}]),
  ]) as Record<TaskState, Partial<Record<TaskState, TaskState>>>,
  TERMINAL,
);

export type TaskSnapshot = LifecycleSnapshot<TaskState>;

/** A new task, in TASK_STAGING. */
export function newTask(): TaskSnapshot {
  return taskMachine.start();
}

/** The task's current state. */
export function taskState(snapshot: TaskSnapshot): TaskState {
  return snapshot.value;
}

/** True once the task can change no more. */
export function isTerminal(snapshot: TaskSnapshot): boolean {
  return snapshot.status === 'done';
}

/**
 * Moves a task to the state an update reports, or refuses an illegal transition (a terminal
 * task resurrected, RUNNING back to STARTING) with a reason; the snapshot is never changed in
 * place.
 */
export function applyTaskState(snapshot: TaskSnapshot, next: TaskState): { ok: true; snapshot: TaskSnapshot } | { ok: false; error: string } {
  const moved = taskMachine.next(snapshot, next);
  return moved.ok ? moved : { ok: false, error: `a task in ${snapshot.value} cannot become ${next}` };
}
