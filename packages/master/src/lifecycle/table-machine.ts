import { initialTransition, setup, transition } from 'xstate';

// The table is checked by its own type; xstate's config type cannot follow a generic event name.
const buildMachine = (id: string, initial: string, states: object) =>
  setup({ types: { events: {} as { type: string } } }).createMachine({ id, initial, states: states as never });

/**
 * A lifecycle given as a table (state -> event -> next state), run by xstate so that it is a
 * real state diagram: illegal events are refused, final states accept nothing. Snapshots are
 * values; nothing changes in place.
 */
export class TableMachine<S extends string, E extends string> {
  private readonly machine: ReturnType<typeof buildMachine>;
  // No context: a state's snapshot is a value shared by every record in it, and each (state,
  // event) pair is asked of xstate once (building a snapshot costs ~0.1 ms; the master makes three
  // or more per task).
  private readonly initial: LifecycleSnapshot<S>;
  private readonly transitions = new Map<string, { ok: true; snapshot: LifecycleSnapshot<S> } | { ok: false; error: string }>();

  constructor(id: string, initial: S, table: Record<S, Partial<Record<E, S>>>, finals: readonly S[] = []) {
    const states = Object.fromEntries(
      (Object.keys(table) as S[]).map((state) => [
        state,
        finals.includes(state)
          ? { type: 'final' as const }
          : { on: Object.fromEntries(Object.entries(table[state]).map(([event, target]) => [event, { target: target as string }])) },
      ]),
    );
    this.machine = buildMachine(id, initial, states);
    this.initial = initialTransition(this.machine)[0] as LifecycleSnapshot<S>;
  }

  /** The snapshot of a new lifecycle, in the initial state. */
  start(): LifecycleSnapshot<S> {
    return this.initial;
  }

  /** Applies `event`, or says why it is illegal in the current state. */
  next(snapshot: LifecycleSnapshot<S>, event: E): { ok: true; snapshot: LifecycleSnapshot<S> } | { ok: false; error: string } {
    const key = `${snapshot.value} ${event}`;
    let result = this.transitions.get(key);
    if (result === undefined) {
      const machineEvent = { type: event };
      const xs = snapshot as unknown as ReturnType<typeof initialTransition<ReturnType<typeof buildMachine>>>[0];
      result = xs.can(machineEvent)
        ? { ok: true, snapshot: transition(this.machine, xs, machineEvent)[0] as LifecycleSnapshot<S> }
        : { ok: false, error: `${this.machine.id} in state ${snapshot.value} cannot take ${event}` };
      this.transitions.set(key, result);
    }
    return result;
  }

  /** Applies an event the caller knows to be legal; throws (a bug) when it is not. */
  must(snapshot: LifecycleSnapshot<S>, event: E): LifecycleSnapshot<S> {
    const result = this.next(snapshot, event);
    if (!result.ok) throw new Error(result.error);
    return result.snapshot;
  }
}

/** What callers see of an xstate snapshot: its state name. */
export interface LifecycleSnapshot<S extends string> {
  readonly value: S;
  readonly status: string;
}
