import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { close, openSync, readFileSync } from 'node:fs';
import type { ContainerLaunch } from '@tessera/protocol';
import { CgroupPlacement } from './cgroup-placement.js';
import type { CommandLine } from './command-line.js';
import { containedCommand, parseLimits } from './container-launch.js';

/** Everything needed to start one task's command. */
export interface LaunchSpec extends CommandLine {
  cwd: string;
  /**
   * Variables over the launcher's own environment (which the task inherits): only what differs
   * travels to a spawner, a few hundred bytes a task instead of the whole environment.
   */
  env: Record<string, string>;
  /** Files the task's stdout and stderr are appended to. */
  stdoutPath: string;
  stderrPath: string;
  /** The container the task is born in (cgroups, limits, namespaces); none: as the launcher is. */
  container?: ContainerLaunch;
  /** A name for the task unique on this machine, by which a later launcher may `adopt` it. */
  key?: string;
}

/** How a task's process ended: its exit, or why it never started. */
export type TaskExit = { code: number | null; signal: string | null } | { error: Error };

/**
 * Starts task commands and signals their process groups: the command executor's only I/O, behind
 * an interface so that its kill and group logic can be tested on a manual clock.
 */
export interface TaskLauncher {
  /**
   * Starts the command as the leader of a new process group (its pid is the group's id) and
   * calls `onExit` once when the leader exits or fails to start. Returns the pid, or undefined
   * when the spawn failed (`onExit` then brings the error).
   * @throws when the log files cannot be opened (nothing was started).
   */
  launch(spec: LaunchSpec, onExit: (exit: TaskExit) => void, onStart?: () => void): number | undefined;
  /** Signals every process of a group; a group already gone is not an error. */
  signalGroup(pgid: number, signal: 'SIGTERM' | 'SIGKILL'): void;
  /**
   * Watches a task an earlier launcher (before an agent restart) started under `key`: `onExit`
   * when it ends, or with an error when it is not known. Returns its handle. Launchers whose
   * tasks cannot outlive them have none.
   */
  adopt?(key: string, onExit: (exit: TaskExit) => void): number;
}

const ignore = (): void => {};

/** This process's own limits and cgroups, read once, when a launch first needs them. */
let ownLimits: ReturnType<typeof parseLimits> | undefined;
let placement: CgroupPlacement | undefined;

/**
 * Spawns the command as a new session and group leader, born in its container's cgroups and
 * wrapped only for what it cannot inherit (container-launch.ts); when its file cannot be executed
 * and the command line has a fallback, spawns that instead (a failed spawn has no pid at once).
 * @throws when a container cgroup cannot be joined (nothing was started).
 */
export function spawnCommand(spec: CommandLine & Pick<LaunchSpec, 'cwd' | 'env' | 'container'>, stdio: StdioOptions): ChildProcess {
  ownLimits ??= parseLimits(readFileSync('/proc/self/limits', 'utf8'));
  const line = containedCommand(spec, spec.container, spec.cwd, ownLimits);
  const options = { cwd: spec.cwd, env: { ...process.env, ...spec.env }, stdio, detached: true };
  const start = (): ChildProcess => {
    const child = spawn(line.file, line.args, line.argv0 === undefined ? options : { ...options, argv0: line.argv0 });
    if (child.pid !== undefined || line.fallback === undefined) return child;
    child.once('error', ignore);
    return spawn(line.fallback.file, line.fallback.args, options);
  };
  const cgroups = spec.container?.cgroups;
  if (cgroups === undefined || cgroups.length === 0) return start();
  placement ??= new CgroupPlacement();
  return placement.spawnIn(cgroups, start);
}

/**
 * The real launcher: one `spawn` per task, no helper process. The log files are opened once
 * (append) and their descriptors handed to the child, then closed here without waiting; the
 * child keeps its own copies. `detached` makes the child a session and group leader, so that a
 * kill reaches everything it forks.
 */
export const processLauncher: TaskLauncher = {
  launch(spec, onExit, onStart) {
    const stdout = openSync(spec.stdoutPath, 'a');
    let stderr: number;
    try {
      stderr = openSync(spec.stderrPath, 'a');
    } catch (err) {
      close(stdout, ignore);
      throw err;
    }
    let child: ReturnType<typeof spawn>;
    try {
      child = spawnCommand(spec, ['ignore', stdout, stderr]);
    } finally {
      close(stdout, ignore);
      close(stderr, ignore);
    }
    let reported = false;
    const report = (exit: TaskExit): void => {
      if (reported) return;
      reported = true;
      onExit(exit);
    };
    child.once('error', (error) => report({ error }));
    child.once('exit', (code, signal) => report({ code, signal }));
    if (child.pid !== undefined) onStart?.();
    return child.pid;
  },

  signalGroup(pgid, signal) {
    if (!(Number.isInteger(pgid) && pgid > 1)) throw new Error(`refusing to signal process group ${pgid}`);
    try {
      process.kill(-pgid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  },
};
