import type { ExitReason, Timer, UPID } from '@tessera/process';
import type { ExecutorRun } from './agent-state.js';
import type { SupervisorPort } from './executor-supervisor.js';

/** Link breaks that say the network hid an executor, not that it ended. */
const NETWORK_REASONS: ReadonlySet<ExitReason> = new Set<ExitReason>(['disconnected', 'node-lost']);
/** How often an executor out of sight is linked again and asked to subscribe. */
export const RECONNECT_ASK_MS = 1_000;

/** Whether a broken link to a run's executor may only be the network's doing. */
export function networkLoss(reason: ExitReason): boolean {
  return NETWORK_REASONS.has(reason);
}

interface Lost {
  pid: UPID;
  deadline: Timer;
  ask: Timer | undefined;
}

/**
 * Hosted executors the agent lost sight of over the network (its NATS server died, heartbeats
 * went missing): their processes live on the same machine and their tasks keep running, so the
 * run is kept, not destroyed. Every second the agent links the executor again and asks it to
 * subscribe (a HEARTBEAT, as after an agent restart); one back in time is simply subscribed
 * again, one still out of sight after `timeoutMs` is given up (`giveUp`).
 */
export class LostExecutors {
  private readonly lost = new Map<ExecutorRun, Lost>();

  constructor(
    private readonly port: Pick<SupervisorPort, 'delay' | 'link' | 'send' | 'logger'>,
    private readonly timeoutMs: number,
    private readonly giveUp: (run: ExecutorRun) => void,
  ) {}

  has(run: ExecutorRun): boolean {
    return this.lost.has(run);
  }

  /** The link to `run`'s executor at `pid` broke for `reason`: keep asking until it is back. */
  lostSight(run: ExecutorRun, pid: UPID, reason: ExitReason): void {
    let entry = this.lost.get(run);
    if (entry === undefined) {
      this.port.logger.log('warn', `lost sight of executor ${run.executorId} (${reason}): its tasks run on; asking it to subscribe again for up to ${this.timeoutMs} ms`, {
        framework: run.frameworkId, executor: run.executorId, pid,
      });
      entry = { pid, ask: undefined, deadline: this.port.delay(this.timeoutMs, () => this.expired(run)) };
      this.lost.set(run, entry);
    }
    entry.ask?.cancel();
    const lost = entry;
    const ask = (): void => {
      if (this.lost.get(run) !== lost) return;
      this.port.link(lost.pid);
      this.port.send(lost.pid, 'executor.Event', { type: 'HEARTBEAT' });
      lost.ask = this.port.delay(RECONNECT_ASK_MS, ask);
    };
    lost.ask = this.port.delay(RECONNECT_ASK_MS, ask);
  }

  /** The run's executor subscribed again, or the run ended: stop asking. */
  found(run: ExecutorRun): void {
    const entry = this.lost.get(run);
    if (entry === undefined) return;
    this.lost.delete(run);
    entry.deadline.cancel();
    entry.ask?.cancel();
  }

  private expired(run: ExecutorRun): void {
    if (!this.lost.has(run)) return;
    this.found(run);
    this.giveUp(run);
  }
}
