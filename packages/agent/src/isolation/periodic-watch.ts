import type { Logger } from '@tessera/process';
import type { Pause } from './cgroups.js';

/**
 * Runs an isolator's measuring round now and then every `intervalMs` on the agent's clock, one
 * round at a time, for as long as it has containers to watch: it stops by itself when the last
 * one goes and starts again with the next, so an idle agent keeps no timer. Rounds run off the
 * agent's mailbox (their I/O is async); what they find is read back by the isolator's
 * synchronous `usage` and `limitation`.
 */
export class PeriodicWatch {
  private running = false;
  private closed = false;
  private rounds = 0;

  /** @throws on an interval that is not a positive number of ms. */
  constructor(
    private readonly what: string,
    private readonly intervalMs: number,
    private readonly pause: Pause,
    private readonly logger: Logger,
    private readonly round: () => Promise<void>,
    private readonly active: () => boolean,
  ) {
    if (!(Number.isFinite(intervalMs) && intervalMs > 0)) throw new Error(`the ${what} interval must be a positive number of ms, got ${intervalMs}`);
  }

  /** Rounds completed so far (tests wait on it). */
  get completed(): number {
    return this.rounds;
  }

  /** Starts the rounds unless they run already, or the watch is closed. */
  arm(): void {
    if (this.running || this.closed) return;
    this.running = true;
    void this.loop();
  }

  /** No round starts after this one (the agent has stopped); a round under way finishes. */
  close(): void {
    this.closed = true;
  }

  private async loop(): Promise<void> {
    try {
      while (!this.closed && this.active()) {
        try {
          await this.round();
        } catch (e) {
          // A round that fails is logged; the next one may do better (a cgroup read mid-destroy).
          this.logger.log('warn', `${this.what}: ${(e as Error).message}`);
        }
        this.rounds += 1;
        if (this.closed) break;
        await this.pause(this.intervalMs);
      }
    } catch (e) {
      // Only the pause can throw here (the agent's clock is gone): the watch ends.
      this.logger.log('warn', `${this.what} stopped: ${(e as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
