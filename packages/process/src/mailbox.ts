import type { Envelope } from '@tessera/protocol';
import type { Timer } from './clock.js';
import type { Process } from './process.js';
import { PidSet } from './pid-set.js';
import { Queue } from './queue.js';
import type { ExitReason } from './runtime.js';
import type { UPID } from './upid.js';

/** What a process's mailbox holds: messages, local closures, exit notices, and its own end. */
export type MailboxEvent =
  | { kind: 'message'; message: Envelope }
  | { kind: 'dispatch'; run: () => unknown; settle?: (outcome: { ok: boolean; value: unknown }) => void }
  | { kind: 'exited'; pid: UPID; reason: ExitReason }
  | { kind: 'terminate' };

/** The runtime's bookkeeping for one spawned process. */
export class ProcessCell {
  readonly queue = new Queue<MailboxEvent>();
  /** A handler's promise is pending: the mailbox waits for it. */
  busy = false;
  /** The cell is on the run queue. */
  scheduled = false;
  terminated = false;
  readonly timers = new Set<Timer>();
  /** Processes this one watches. */
  readonly links = new PidSet();
  /** Processes (local or remote) that watch this one. */
  readonly linkers = new PidSet();
  readonly done: Promise<void>;
  markDone!: () => void;

  constructor(readonly process: Process, readonly pid: UPID) {
    this.done = new Promise((resolve) => { this.markDone = resolve; });
  }
}
