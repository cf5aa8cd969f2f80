import type { Envelope, LeaderRecord, MessageType } from '@tessera/protocol';
import { Process } from '@tessera/process';

/** Everything a leader acts on: what a standby refuses, and a new leader holds while it recovers. */
export const LEADER_MESSAGES: readonly MessageType[] = [
  'scheduler.Call', 'agent.Register', 'agent.Reregister', 'agent.StatusUpdate', 'agent.ExecutorExited', 'agent.FrameworkMessage',
];

/**
 * A master that does not lead: it holds the master's pid on its node so that anything sent
 * there is answered, with `master.NotLeader` naming the leader when it knows one, and changes
 * nothing. (Over HTTP the same refusal is a 307 to the leader.)
 */
export class StandbyMaster extends Process {
  constructor(private readonly leader: () => LeaderRecord | undefined, name = 'master') {
    super(name);
  }

  protected initialize(): void {
    for (const type of LEADER_MESSAGES) this.install(type, (_body: unknown, message: Envelope) => this.refuse(message));
  }

  private refuse(message: Envelope): void {
    const leader = this.leader();
    this.reply(message, 'master.NotLeader', { refused: message.type, ...(leader === undefined ? {} : { leader }) });
  }
}
