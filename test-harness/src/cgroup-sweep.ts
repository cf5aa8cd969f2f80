import { readdirSync, rmdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Where cgroup v1 hierarchies are mounted, each with the agents' `tessera` subtree. */
const CGROUP_MOUNTS = '/sys/fs/cgroup';

/**
 * Removes the empty cgroups a test run left under `<hierarchy>/tessera` (made at or after
 * `sinceMs`): an agent SIGKILLed by a test never destroys its containers' cgroups, and a cgroup
 * is a directory only rmdir removes. A cgroup that still holds processes or children is left
 * (rmdir refuses). Returns how many were removed.
 */
export function sweepTesseraCgroups(sinceMs: number, mounts: string = CGROUP_MOUNTS): number {
  let removed = 0;
  for (const hierarchy of list(mounts)) {
    // The agent's DEFAULT_CGROUPS_ROOT (the harness does not depend on the agent package).
    const top = path.join(mounts, hierarchy, 'tessera');
    for (const child of list(top)) removed += removeEmptyTree(path.join(top, child), sinceMs);
  }
  return removed;
}

/** Children first, then `dir` itself if it is now empty and was made at or after `sinceMs`. */
function removeEmptyTree(dir: string, sinceMs: number): number {
  let removed = 0;
  for (const child of list(dir)) removed += removeEmptyTree(path.join(dir, child), sinceMs);
  try {
    if (statSync(dir).ctimeMs < sinceMs) return removed;
    rmdirSync(dir);
    return removed + 1;
  } catch {
    return removed; // still in use, or not ours to remove
  }
}

/** The subdirectories of `dir` (none when it is missing or unreadable). */
function list(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}
