import type { Envelope } from '@tessera/protocol';
import { Process } from '@tessera/process';
import { LEADER_MESSAGES } from './standby-master.js';

/** Messages a recovering leader holds at most; later ones are dropped (their senders retry). */
export const MAX_HELD_WHILE_RECOVERING = 100_000;

/**
 * The master's pid on a new leader's node while it reads the registry: it holds what a leader
 * acts on, for the contender to hand to the Master once it runs, in the order they came.
 * Without it they found no process: at a failover of 10,000 agents, the re-registrations of the
 * few that learnt of the new leader first were dropped during the registry read (0.6-0.9 s),
 * and those agents came back only after their retry back-off (5-10 s in the bench), which made
 * most of the failover's time.
 */
export class RecoveringMaster extends Process {
  readonly held: Envelope[] = [];
  dropped = 0;

  constructor(name = 'master') {
    super(name);
  }

  protected initialize(): void {
    for (const type of LEADER_MESSAGES) this.install(type, (_body: unknown, message: Envelope) => this.hold(message));
  }

  private hold(message: Envelope): void {
    if (this.held.length >= MAX_HELD_WHILE_RECOVERING) this.dropped += 1;
    else this.held.push(message);
  }
}
