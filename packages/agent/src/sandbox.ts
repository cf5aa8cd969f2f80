import { mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Why `id` may not name a directory, or undefined when it may: ids come from frameworks, and
 * one like `../x` must not walk out of the work directory.
 */
export function pathIdError(id: string): string | undefined {
  if (id === '.' || id === '..') return `'${id}' cannot name a directory`;
  if (id.includes('/') || id.includes('\0')) return `'${id}' holds '/' or NUL`;
  return undefined;
}

/** `<workDir>/agents/<agentId>/frameworks/<frameworkId>`. */
export function frameworkDirectory(workDir: string, agentId: string, frameworkId: string): string {
  return path.join(workDir, 'agents', agentId, 'frameworks', frameworkId);
}

/** Where a framework's executor host OS process writes its output. */
export function executorHostLogPath(workDir: string, agentId: string, frameworkId: string): string {
  return path.join(frameworkDirectory(workDir, agentId, frameworkId), 'executor-host.log');
}

/**
 * The sandbox of one executor run, Mesos's layout with `agents` for `slaves`:
 * `<workDir>/agents/<agent>/frameworks/<fw>/executors/<executor>/runs/<run>`.
 */
export function sandboxPath(workDir: string, agentId: string, frameworkId: string, executorId: string, runId: string): string {
  return path.join(frameworkDirectory(workDir, agentId, frameworkId), 'executors', executorId, 'runs', runId);
}

/**
 * Creates a run's sandbox and points `runs/latest` at it, as Mesos does, so an operator finds the
 * current run without knowing its id. On libuv's threads: directory operations are the costliest
 * system calls of a launch on ext4 (0.1 ms each), and the agent's loop has better things to do.
 * One recursive mkdir makes every missing level in one request; what it made first says whether
 * the executor is new, so a new executor's `latest` is not looked for before it is made.
 * @throws (rejects) when the directory cannot be made.
 */
export async function createSandbox(directory: string): Promise<void> {
  const runs = path.dirname(directory);
  const first = await mkdir(directory, { recursive: true });
  const freshExecutor = first !== undefined && first.length < runs.length;
  const latest = path.join(runs, 'latest');
  try {
    if (!freshExecutor) await rm(latest, { force: true });
    await symlink(path.basename(directory), latest);
  } catch {
    // The link is a convenience: a file system without symlinks still runs tasks.
  }
}
