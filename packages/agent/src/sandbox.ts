import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
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
 * current run without knowing its id. Synchronous: a launch waits for its directory anyway, and
 * one mkdir is cheaper than the promise around it. Each level is made on its own (Node's
 * recursive mkdir first tries the deepest path and fails its way up), and a new executor's
 * `latest` is not looked for before it is made: directory operations are the costliest system
 * calls of a launch on ext4.
 * @throws when the directory cannot be made.
 */
export function createSandbox(directory: string): void {
  const runs = path.dirname(directory);
  const freshExecutor = mkdirSync(path.dirname(runs), { recursive: true }) !== undefined;
  mkdirSync(runs, { recursive: true });
  mkdirSync(directory, { recursive: true });
  const latest = path.join(runs, 'latest');
  try {
    if (!freshExecutor) rmSync(latest, { force: true });
    symlinkSync(path.basename(directory), latest);
  } catch {
    // The link is a convenience: a file system without symlinks still runs tasks.
  }
}
