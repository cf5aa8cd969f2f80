import { Resources, TERMINAL_TASK_STATES, type Offer, type TaskInfo, type TaskStatus } from '@tessera/protocol';

/** What `tessera execute` runs: K copies of one shell command. */
export interface ExecuteSpec {
  name: string;
  command: string;
  instances: number;
  /** Resources of one copy, Mesos flag syntax. */
  resources: string;
}

/** A task that did not finish, with why. */
export interface TaskFailure {
  taskId: string;
  state: string;
  reason?: string;
  message?: string;
}

/** What the framework decides for one batch of offers. */
export interface OfferDecision {
  launches: { offer: Offer; tasks: TaskInfo[] }[];
  declines: Offer[];
}

/**
 * The policy of `tessera execute` (like mesos-execute), with no I/O: which tasks to launch on
 * which offers, and when the run is over. The driver wiring lives in run-execute.ts.
 */
export class ExecuteFramework {
  private readonly pending: string[];
  private readonly states = new Map<string, string>();
  readonly failures: TaskFailure[] = [];
  private finishedCount = 0;
  private readonly perTask: Resources;

  constructor(private readonly spec: ExecuteSpec) {
    this.perTask = Resources.parse(spec.resources);
    this.pending = Array.from({ length: spec.instances }, (_, i) => (spec.instances === 1 ? spec.name : `${spec.name}-${i}`));
  }

  get finished(): number {
    return this.finishedCount;
  }

  get ended(): number {
    return this.finishedCount + this.failures.length;
  }

  get done(): boolean {
    return this.ended === this.spec.instances;
  }

  get unlaunched(): number {
    return this.pending.length;
  }

  /**
   * Spreads pending tasks over the offers, one offer after another (round robin), so that every
   * agent works at once; offers left with nothing to run are declined.
   */
  decide(offers: readonly Offer[]): OfferDecision {
    const slots = offers.map((offer) => ({
      offer,
      left: Resources.of(offer.resources),
      need: this.perTask.withAllocation(offer.allocation_info?.role ?? '*'),
      tasks: [] as TaskInfo[],
    }));
    let open = slots.filter((slot) => slot.left.contains(slot.need));
    while (this.pending.length > 0 && open.length > 0) {
      for (const slot of open) {
        if (this.pending.length === 0) break;
        const id = this.pending.shift()!;
        slot.left = slot.left.subtract(slot.need);
        slot.tasks.push({ name: id, task_id: { value: id }, agent_id: slot.offer.agent_id, resources: slot.need.toJSON(), command: { value: this.spec.command, shell: true } });
        this.states.set(id, 'TASK_STAGING');
      }
      open = open.filter((slot) => slot.left.contains(slot.need));
    }
    return {
      launches: slots.filter((slot) => slot.tasks.length > 0).map(({ offer, tasks }) => ({ offer, tasks })),
      declines: slots.filter((slot) => slot.tasks.length === 0).map((slot) => slot.offer),
    };
  }

  /** Records a task's update; returns true when it is the task's first terminal one. */
  update(status: TaskStatus): boolean {
    const id = status.task_id.value;
    const before = this.states.get(id);
    if (before === undefined || TERMINAL_TASK_STATES.has(before as TaskStatus['state'])) return false;
    this.states.set(id, status.state);
    if (!TERMINAL_TASK_STATES.has(status.state)) return false;
    if (status.state === 'TASK_FINISHED') this.finishedCount++;
    else this.failures.push({ taskId: id, state: status.state, ...(status.reason === undefined ? {} : { reason: status.reason }), ...(status.message === undefined ? {} : { message: status.message }) });
    return true;
  }

  /** Tasks not yet ended, for reconciliation. */
  liveTasks(): { task_id: string; agent_id?: string }[] {
    return [...this.states].filter(([, s]) => !TERMINAL_TASK_STATES.has(s as TaskStatus['state'])).map(([task_id]) => ({ task_id }));
  }
}
