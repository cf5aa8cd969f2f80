import { Command } from 'commander';
import { DEFAULT_MASTER_URL, MasterClient } from '../operator-client/master-client.js';
import { masterUrl } from '../operator-parsers.js';

/** The flags every operator command takes. */
export interface OperatorFlags {
  master: string;
  json?: boolean;
}

/** A command that talks to a master: `--master <url>` and `--json` (for scripts) come with it. */
export function operatorCommand(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .option('--master <url>', 'HTTP address of a master (a standby redirects to the leader)', masterUrl, DEFAULT_MASTER_URL)
    .option('--json', 'print JSON for scripts instead of a table');
}

export function masterClient(flags: OperatorFlags): MasterClient {
  return new MasterClient(flags.master);
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Waits `ms` on a real timer. The runtime's SystemClock unrefs its timers, which would let the
 * CLI exit between two polls, so the commands that poll (tail -f, drain) wait on this one.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
