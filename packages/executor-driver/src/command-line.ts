import type { CommandInfo, KillPolicy, TaskState } from '@tessera/protocol';
import { TESSERA_RLIMIT_CPU_SECONDS, TESSERA_RLIMIT_DATA_BYTES, TESSERA_RLIMIT_NOFILE } from './environment.js';

// Pure pieces of the command executor: what to exec for a CommandInfo, how an exit reads as a
// task state, how long a kill may take. No I/O here.

/**
 * Per-task resource limits, applied with the shell's `ulimit` before the command runs. No
 * address-space limit: RLIMIT_AS breaks Node (and most JITs); memory is the containerizer's
 * cgroup's job.
 */
export interface Rlimits {
  /** RLIMIT_DATA, in bytes (rounded up to KiB for `ulimit -d`). */
  data_bytes?: number;
  /** RLIMIT_CPU, in seconds: the task gets SIGXCPU when it has used them. */
  cpu_seconds?: number;
  /** RLIMIT_NOFILE: open file descriptors. */
  nofile?: number;
}

/** What to spawn: `file` with `args`, and `argv0` when the task names its own. */
export interface CommandLine {
  file: string;
  args: string[];
  argv0?: string;
  /**
   * What to spawn instead when `file` cannot be executed at all (missing, not executable): the
   * shell form of a plain command, so that the task fails as the shell would have it fail.
   */
  fallback?: { file: string; args: string[] };
}

/** Mesos's command executor's default kill grace period. */
export const DEFAULT_KILL_GRACE_MS = 3_000;

const SHELL = '/bin/sh';
/** Words the shell would take as they are: no quoting, expansion, globbing, operator or comment. */
const PLAIN_WORD = /^[A-Za-z0-9_\/.,:@%+=-]+$/;

/**
 * The words of a shell command that the shell would only split and exec (`/bin/true`,
 * `/usr/bin/sleep 5`), or undefined. The program must be an absolute path, so that no builtin,
 * keyword, alias or assignment can be meant. Running such a line without the shell saves the
 * shell's own exec, a third of a short task's cost; dash would exec it the same way.
 */
export function plainCommand(value: string): string[] | undefined {
  const words = value.trim().split(/[ \t]+/);
  if (!words[0]!.startsWith('/') || !words.every((w) => PLAIN_WORD.test(w))) return undefined;
  return words;
}

/** Checks limits given in code; each must be a non-negative safe integer. */
export function checkRlimits(rlimits: Rlimits): Rlimits {
  for (const [name, value] of Object.entries(rlimits)) {
    if (!['data_bytes', 'cpu_seconds', 'nofile'].includes(name)) throw new Error(`unknown rlimit '${name}'`);
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) throw new Error(`rlimit ${name} must be a non-negative integer, got ${value}`);
  }
  return rlimits;
}

/**
 * Reads rlimits from TESSERA_RLIMIT_* variables (how `executor.Spawn` carries them for now).
 * Undefined when none is set. @throws on a value that is not a non-negative integer.
 */
export function rlimitsFromEnvironment(env: Record<string, string | undefined>): Rlimits | undefined {
  const read = (name: string): number | undefined => {
    const text = env[name];
    if (text === undefined) return undefined;
    if (!/^\d{1,15}$/.test(text.trim())) throw new Error(`${name} must be a non-negative integer, got '${text}'`);
    return Number(text.trim());
  };
  const rlimits: Rlimits = {};
  const data = read(TESSERA_RLIMIT_DATA_BYTES);
  const cpu = read(TESSERA_RLIMIT_CPU_SECONDS);
  const nofile = read(TESSERA_RLIMIT_NOFILE);
  if (data !== undefined) rlimits.data_bytes = data;
  if (cpu !== undefined) rlimits.cpu_seconds = cpu;
  if (nofile !== undefined) rlimits.nofile = nofile;
  return Object.keys(rlimits).length === 0 ? undefined : rlimits;
}

/**
 * The shell line that sets the limits, failing with status 127 when one cannot be set (above the
 * hard limit): a task must not run without the limits it was given. Dash's `ulimit` takes one
 * limit per call; without -H or -S it sets both, so the task cannot raise them back. CPU is the
 * exception: at equal soft and hard limits the kernel's SIGKILL comes first, so the soft limit
 * is the one given (SIGXCPU, which a task may catch to clean up) and the hard one a second later.
 */
export function ulimitLine(rlimits: Rlimits | undefined): string | undefined {
  if (rlimits === undefined) return undefined;
  const parts: string[] = [];
  if (rlimits.data_bytes !== undefined) parts.push(`ulimit -d ${Math.ceil(rlimits.data_bytes / 1024)}`);
  if (rlimits.cpu_seconds !== undefined) parts.push(`ulimit -S -t ${rlimits.cpu_seconds} && ulimit -H -t ${rlimits.cpu_seconds + 1}`);
  if (rlimits.nofile !== undefined) parts.push(`ulimit -n ${rlimits.nofile}`);
  return parts.length === 0 ? undefined : `${parts.join(' && ')} || exit 127`;
}

/**
 * What to exec for a task's CommandInfo, as Mesos's: `shell` (the default) runs `value` with
 * `/bin/sh -c`; otherwise `value` is the executable, found on PATH, and `arguments` its argv
 * (arguments[0] being the program's name). A shell command that is only an absolute path and
 * plain words is exec'd directly, with the shell as the fallback. With limits, one shell sets them and then execs the
 * command in the same process, so limits cost no extra process; the command travels as a
 * positional parameter, never spliced into the script, so no quoting can break it. (With limits
 * and shell false, the program's argv[0] is `value`: dash's exec cannot set it.)
 * Returns a reason instead when there is nothing to run.
 */
export function commandLine(command: CommandInfo | undefined, rlimits?: Rlimits): CommandLine | { error: string } {
  const value = command?.value;
  if (value === undefined || value.trim() === '') {
    return { error: command === undefined ? 'the task has no command' : 'the task\'s command is empty (CommandInfo.value)' };
  }
  const limits = ulimitLine(rlimits);
  if (command?.shell ?? true) {
    const plain = plainCommand(value);
    if (limits !== undefined) {
      // A plain command is exec'd by the shell that sets the limits; anything else by a second shell.
      return plain === undefined
        ? { file: SHELL, args: ['-c', `${limits}; exec ${SHELL} -c "$0"`, value] }
        : { file: SHELL, args: ['-c', `${limits}; exec "$0" "$@"`, ...plain] };
    }
    return plain === undefined
      ? { file: SHELL, args: ['-c', value] }
      : { file: plain[0]!, args: plain.slice(1), fallback: { file: SHELL, args: ['-c', value] } };
  }
  const argv = command?.arguments ?? [];
  if (limits !== undefined) return { file: SHELL, args: ['-c', `${limits}; exec "$0" "$@"`, value, ...argv.slice(1)] };
  return argv.length === 0 ? { file: value, args: [] } : { file: value, args: argv.slice(1), argv0: argv[0]! };
}

/** The terminal update a task's exit makes. */
export interface ExitStatus {
  state: TaskState;
  message: string;
  reason?: string;
}

/**
 * Reads an exit as Mesos's command executor does: status 0 is TASK_FINISHED, anything else
 * TASK_FAILED, and any exit after a kill was asked is TASK_KILLED.
 */
export function describeExit(code: number | null, signal: string | null, killRequested: boolean): ExitStatus {
  const how = signal !== null ? `Command terminated with signal ${signal}` : `Command exited with status ${code ?? 'unknown'}`;
  if (killRequested) return { state: 'TASK_KILLED', message: how };
  if (signal === null && code === 0) return { state: 'TASK_FINISHED', message: how };
  const message = signal !== null ? `Command terminated by signal ${signal}` : how;
  return { state: 'TASK_FAILED', message, reason: 'REASON_COMMAND_EXECUTOR_FAILED' };
}

/** The grace period of a kill: the KILL's policy, else the task's, else `defaultMs`. */
export function gracePeriodMs(fromKill: KillPolicy | undefined, fromTask: KillPolicy | undefined, defaultMs = DEFAULT_KILL_GRACE_MS): number {
  const nanoseconds = fromKill?.grace_period?.nanoseconds ?? fromTask?.grace_period?.nanoseconds;
  return nanoseconds === undefined ? defaultMs : Math.ceil(nanoseconds / 1_000_000);
}

