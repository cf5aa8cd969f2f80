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

  /** Packs pending tasks into the offers, first fit; offers with nothing to run are declined. */
  decide(offers: readonly Offer[]): OfferDecision {
    const decision: OfferDecision = { launches: [], declines: [] };
    for (const offer of offers) {
      const role = offer.allocation_info?.role ?? '*';
      const need = this.perTask.withAllocation(role);
      let left = Resources.of(offer.resources);
      const tasks: TaskInfo[] = [];
      while (this.pending.length > 0 && left.contains(need)) {
        const id = this.pending.shift()!;
        left = left.subtract(need);
        tasks.push({ name: id, task_id: { value: id }, agent_id: offer.agent_id, resources: need.toJSON(), command: { value: this.spec.command, shell: true } });
        this.states.set(id, 'TASK_STAGING');
      }
      if (tasks.length > 0) decision.launches.push({ offer, tasks });
      else decision.declines.push(offer);
    }
    return decision;
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
