import type { Clock, Timer } from '@tessera/process';
import type { LaunchSpec, TaskExit, TaskLauncher } from '@tessera/executor-driver';

/** A task's own run time in ms, as a task variable: `TESSERA_SIM_DURATION_MS=2500`. */
export const SIM_DURATION_VARIABLE = 'TESSERA_SIM_DURATION_MS';

/** The first pid a simulated launcher hands out: far above Linux's pid_max, so never a real one. */
const FIRST_SIM_PID = 10_000_000;

interface SimProcess {
  timer: Timer;
  onExit: (exit: TaskExit) => void;
}

/** A command line that ends in `sleep N`, however the executor wrapped it (a shell, limits). */
const SLEEP_AT_END = /(?:^|[\s/])sleep\s+(\d+(?:\.\d+)?)$/;

/**
 * How long a simulated task runs: its TESSERA_SIM_DURATION_MS variable, else N seconds for a
 * command that ends in `sleep N` (as `tessera execute --command 'sleep 5'` would run), else
 * `fallbackMs`.
 */
export function simDurationMs(spec: Pick<LaunchSpec, 'env' | 'file' | 'args'>, fallbackMs: number): number {
  const given = spec.env[SIM_DURATION_VARIABLE];
  if (given !== undefined && /^\d+(\.\d+)?$/.test(given.trim())) return Number(given);
  const sleep = SLEEP_AT_END.exec([spec.file, ...spec.args].join(' ').trim());
  return sleep === null ? fallbackMs : Number(sleep[1]) * 1_000;
}

/**
 * A TaskLauncher whose "processes" fork nothing: each starts at once and exits with code 0 once
 * its duration has passed on the runtime's clock (see simDurationMs); a signal ends it a turn
 * later, as a real kill does. The command executor above it is the real one, so a simulated agent
 * reports TASK_STARTING, TASK_RUNNING and TASK_FINISHED as a real one does, for no fork.
 */
export class SimTaskLauncher implements TaskLauncher {
  private readonly live = new Map<number, SimProcess>();
  private nextPid = FIRST_SIM_PID;
  private launchedCount = 0;

  constructor(private readonly clock: Clock, private readonly defaultDurationMs: number) {
    if (!(Number.isFinite(defaultDurationMs) && defaultDurationMs >= 0)) throw new Error(`a task duration must be >= 0 ms, got ${defaultDurationMs}`);
  }

  /** Tasks launched so far. */
  get launched(): number {
    return this.launchedCount;
  }

  /** Tasks running now. */
  get running(): number {
    return this.live.size;
  }

  launch(spec: LaunchSpec, onExit: (exit: TaskExit) => void, onStart?: () => void): number {
    const pid = this.nextPid++;
    this.launchedCount += 1;
    const timer = this.clock.setTimer(simDurationMs(spec, this.defaultDurationMs), () => this.end(pid, { code: 0, signal: null }));
    this.live.set(pid, { timer, onExit });
    onStart?.();
    return pid;
  }

  signalGroup(pgid: number, signal: 'SIGTERM' | 'SIGKILL'): void {
    const process = this.live.get(pgid);
    if (process === undefined) return;
    process.timer.cancel();
    // A real signal's exit comes back later, never inside the kill call.
    process.timer = this.clock.setTimer(0, () => this.end(pgid, { code: null, signal }));
  }

  private end(pid: number, exit: TaskExit): void {
    const process = this.live.get(pid);
    if (process === undefined) return;
    this.live.delete(pid);
    process.onExit(exit);
  }
}
