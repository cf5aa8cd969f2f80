/**
 * One scenario process (master, agent, framework) as a restartable OS child: same command, same
 * log file (appended), killed with any signal and awaited.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';

export class ScenarioChild {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** How many times it was started. */
  starts = 0;

  constructor(
    readonly name: string,
    private readonly argv: readonly string[],
    private readonly logFile: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.alive) throw new Error(`${this.name} is already running (pid ${this.child?.pid})`);
    const log = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, this.argv, { stdio: ['ignore', log, log], env: this.env });
    closeSync(log);
    this.child = child;
    this.starts += 1;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Sends `signal` and waits until the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.alive) return;
    this.child?.kill(signal);
    await this.exited;
  }

  /** How many lines of its log (all its runs) contain `text`. */
  logLinesWith(text: string): number {
    return readFileSync(this.logFile, 'utf8').split('\n').filter((line) => line.includes(text)).length;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.alive) this.child?.kill(signal);
  }
}
