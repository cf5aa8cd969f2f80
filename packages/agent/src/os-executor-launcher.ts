import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CgroupPlacement, containedCommand, parseLimits } from '@tessera/executor-driver';
import type { ExecutorProcess, ExecutorProcessLauncher, ExecutorProcessSpec, ExitStatus } from './types.js';

/**
 * Starts custom executors as OS processes: `/bin/sh -c value` for a shell command (the default),
 * else `value` exec'd with `arguments` (whose first item is argv[0], as in Mesos). Each runs in
 * its sandbox, in a process group of its own (so that a kill reaches everything it forked), with
 * stdout and stderr appended to `<sandbox>/stdout` and `<sandbox>/stderr`; born in its container
 * as a hosted executor's tasks are (the agent's main thread joins its cgroups around the fork).
 */
export class OsExecutorProcessLauncher implements ExecutorProcessLauncher {
  private placement: CgroupPlacement | undefined;
  private ownLimits: ReturnType<typeof parseLimits> | undefined;

  launch(spec: ExecutorProcessSpec): ExecutorProcess {
    const { command, directory, environment } = spec;
    if (command.value === undefined || command.value.trim() === '') {
      return failed('the executor has no command value');
    }
    let out: number | undefined;
    let err: number | undefined;
    try {
      out = openSync(path.join(directory, 'stdout'), 'a');
      err = openSync(path.join(directory, 'stderr'), 'a');
      const shell = command.shell ?? true;
      const [file, args, argv0] = shell
        ? ['/bin/sh', ['-c', command.value], undefined]
        : [command.value, (command.arguments ?? []).slice(1), command.arguments?.[0]];
      this.ownLimits ??= parseLimits(readFileSync('/proc/self/limits', 'utf8'));
      const line = containedCommand({ file, args, ...(argv0 === undefined ? {} : { argv0 }) }, spec.container, directory, this.ownLimits);
      const start = () => spawn(line.file, line.args, {
        cwd: directory,
        env: environment,
        detached: true,
        stdio: ['ignore', out, err],
        ...(line.argv0 === undefined ? {} : { argv0: line.argv0 }),
      });
      const cgroups = spec.container?.cgroups;
      const child = cgroups === undefined || cgroups.length === 0 ? start() : (this.placement ??= new CgroupPlacement()).spawnIn(cgroups, start);
      const exited = new Promise<ExitStatus>((resolve) => {
        child.once('exit', (code, signal) => resolve({ code, signal }));
        child.once('error', (e) => resolve({ code: null, signal: null, error: e.message }));
      });
      return {
        pid: child.pid,
        exited,
        kill(signal) {
          if (child.pid === undefined) return;
          try {
            process.kill(-child.pid, signal);
          } catch {
            // ESRCH: the group is gone already.
          }
        },
      };
    } catch (e) {
      return failed(`could not start the executor: ${(e as Error).message}`);
    } finally {
      // The child holds its own copies of the descriptors.
      if (out !== undefined) closeSync(out);
      if (err !== undefined) closeSync(err);
    }
  }
}

function failed(error: string): ExecutorProcess {
  return { pid: undefined, exited: Promise.resolve({ code: null, signal: null, error }), kill() {} };
}

/** A process's exit as an integer, as a shell reports it: the code, or 128 + the signal number. */
export function exitStatusCode(status: ExitStatus): number {
  if (status.code !== null) return status.code;
  if (status.signal !== null) return 128 + ((os.constants.signals as Record<string, number>)[status.signal] ?? 0);
  return -1;
}

/** Says how a process ended, for a task's failure message. */
export function describeExit(status: ExitStatus): string {
  if (status.error !== undefined) return status.error;
  if (status.signal !== null) return `terminated by signal ${status.signal}`;
  return `exited with status ${status.code}`;
}
