import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The `tessera` CLI's entry, run directly by node so that a child's pid is the CLI's own. */
export const TESSERA_MAIN = path.join(path.dirname(createRequire(import.meta.url).resolve('@tessera/cli')), 'main.js');

/**
 * `setpriv --pdeathsig SIGKILL` when the machine has it (as the test harness starts nats-server):
 * the kernel kills the child if the bench dies in a way no handler sees, so that no orphaned
 * master or simulation keeps eating the CPU the next run measures.
 */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((file) => existsSync(file));

/** A `tessera` child process whose output goes to a log file. */
export class TesseraChild {
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  /** `nodeFlags` go to node itself (e.g. `--max-semi-space-size=32`, `--cpu-prof`). */
  constructor(readonly name: string, args: string[], readonly logFile: string, nodeFlags: string[] = []) {
    const log = openSync(logFile, 'a');
    const command = [process.execPath, ...nodeFlags, TESSERA_MAIN, ...args];
    // setpriv execs node in place, so the pid held is node's own.
    const [file, ...rest] = SETPRIV === undefined ? command : [SETPRIV, '--pdeathsig', 'SIGKILL', '--', ...command];
    this.child = spawn(file!, rest, { stdio: ['ignore', log, log] });
    closeSync(log);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends `signal` and waits for the exit (SIGKILL after 10 s for a gentler signal). */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.alive) return;
    this.child.kill(signal);
    const timer = signal === 'SIGKILL' ? undefined : setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    if (timer !== undefined) clearTimeout(timer);
  }
}
