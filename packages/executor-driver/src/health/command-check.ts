import type { CommandInfo, ContainerLaunch } from '@tessera/protocol';
import { commandLine } from '../command-line.js';
import type { TaskExit, TaskLauncher } from '../task-launcher.js';
import type { CheckRun } from './check-run.js';

/** Where a COMMAND check runs: as its task does, through the same launcher. */
export interface CommandCheckContext {
  launcher: TaskLauncher;
  /** The task's sandbox (the check's working directory). */
  cwd: string;
  /** The task's variables; the check's own CommandInfo.environment goes over them. */
  env: Record<string, string>;
  /** The file the check's stdout and stderr are appended to (Mesos's executor sends both to its stderr). */
  logPath: string;
  /** The task's container: the check joins its cgroups (see TaskHealthOptions.container). */
  container?: ContainerLaunch;
}

/**
 * A COMMAND check: runs the command as the leader of its own process group in the task's sandbox
 * and environment; exit status 0 is healthy. At the timeout (an aborted signal) the whole group
 * gets SIGKILL, as Mesos's checker kills the check's process tree.
 * @throws when the command has nothing to run (planHealthCheck refuses such a check first).
 */
export function commandCheck(command: CommandInfo, context: CommandCheckContext): CheckRun {
  const line = commandLine(command);
  if ('error' in line) throw new Error(`the health check's ${line.error}`);
  const env = { ...context.env };
  for (const v of command.environment?.variables ?? []) env[v.name] = v.value ?? '';
  return (signal) => new Promise((resolve) => {
    let pid: number | undefined;
    const kill = (): void => { if (pid !== undefined) context.launcher.signalGroup(pid, 'SIGKILL'); };
    const onExit = (exit: TaskExit): void => {
      signal.removeEventListener('abort', kill);
      // What the check left running in its group goes with it, as a task's leftovers do.
      kill();
      resolve(describeCheckExit(exit));
    };
    try {
      pid = context.launcher.launch({
        ...line, cwd: context.cwd, env, stdoutPath: context.logPath, stderrPath: context.logPath,
        ...(context.container === undefined ? {} : { container: context.container }),
      }, onExit);
    } catch (err) {
      resolve({ healthy: false, message: `the health check command could not start: ${(err as Error).message}` });
      return;
    }
    if (signal.aborted) kill();
    else signal.addEventListener('abort', kill, { once: true });
  });
}

function describeCheckExit(exit: TaskExit): { healthy: boolean; message: string } {
  if ('error' in exit) return { healthy: false, message: `the health check command could not start: ${exit.error.message}` };
  if (exit.signal !== null) return { healthy: false, message: `the health check command was terminated by signal ${exit.signal}` };
  return { healthy: exit.code === 0, message: `the health check command exited with status ${exit.code ?? 'unknown'}` };
}
