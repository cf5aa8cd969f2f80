import { TERMINAL_TASK_STATES, type TaskState } from '@tessera/protocol';
import { initialTransition, setup, transition, type SnapshotFrom } from 'xstate';

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

const states = Object.fromEntries([
  ...Object.entries(NEXT).map(([state, next]) => [state, { on: Object.fromEntries(next.map((n) => [n, { target: n, reenter: n === state }])) }]),
  ...TERMINAL.map((state) => [state, { type: 'final' as const }]),
]);

/** The task lifecycle, from STAGING (the master accepted the launch) to a terminal state. */
export const taskMachine = setup({ types: { events: {} as TaskEvent } }).createMachine({
  id: 'task',
  initial: 'TASK_STAGING',
  states,
});

export type TaskSnapshot = SnapshotFrom<typeof taskMachine>;

/** A new task, in TASK_STAGING. */
export function newTask(): TaskSnapshot {
  return STAGING;
}

// The machine has no context, so a state's snapshot is a value shared by every task in it, and
// each (state, event) pair is asked of xstate once: building a snapshot costs ~0.1 ms, and the
// master makes three or more per task.
const STAGING = initialTransition(taskMachine)[0];
const transitions = new Map<string, { ok: true; snapshot: TaskSnapshot } | { ok: false; error: string }>();

/** The task's current state. */
export function taskState(snapshot: TaskSnapshot): TaskState {
  return snapshot.value as unknown as TaskState;
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
  const key = `${taskState(snapshot)} ${next}`;
  let result = transitions.get(key);
  if (result === undefined) {
    const event: TaskEvent = { type: next };
    result = snapshot.can(event)
      ? { ok: true, snapshot: transition(taskMachine, snapshot, event)[0] }
      : { ok: false, error: `a task in ${taskState(snapshot)} cannot become ${next}` };
    transitions.set(key, result);
  }
  return result;
}
