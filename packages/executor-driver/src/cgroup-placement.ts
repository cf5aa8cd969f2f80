import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// Placement without a shell: a cgroup v1 process is born in the cgroups of the thread that forks
// it. Node forks in spawn(), synchronously, on the main thread; so the launcher moves that one
// thread (its tid is the process's pid: `tasks`, not `cgroup.procs`, which would move every
// thread) into the container's cgroups, spawns, and moves it back. The task never runs outside
// its container, and no wrapper is exec'd. Node modules only: spawner-main imports this.
//
// A cpu cgroup with a CFS quota is the one care: inside it, the thread would spend the
// container's quota on the fork and, with a small one (cpus 0.01: 1 ms per 100 ms), stall there
// until the next period, and every launch behind it. So the quota is lifted while the thread is
// in, and put back as it leaves: the container runs uncapped for the fork's microseconds. (Moving
// the child in after the fork instead lets what it forks first, a shell's command, escape.)

/** A cgroup v1 mount: its directory, the thread's own cgroup there, and whether it holds the cpu controller. */
interface Hierarchy {
  mount: string;
  home: string;
  cpu: boolean;
}

/**
 * Moves the calling (main) thread in and out of cgroups around a spawn. The thread's own cgroups
 * are read once, at construction: it must not be moved by anything else meanwhile.
 */
export class CgroupPlacement {
  private readonly hierarchies: Hierarchy[];
  private readonly tid = String(process.pid);

  constructor(mounts: string = readFileSync('/proc/self/mounts', 'utf8'), procCgroup: string = readFileSync('/proc/self/cgroup', 'utf8')) {
    const own = new Map<string, string>();
    for (const line of procCgroup.split('\n')) {
      const match = /^\d+:([^:]+):(.*)$/.exec(line);
      if (match !== null) for (const controller of match[1]!.split(',')) own.set(controller, match[2]!);
    }
    this.hierarchies = [];
    for (const line of mounts.split('\n')) {
      const [, mount, type, options] = line.split(' ');
      if (type !== 'cgroup' || mount === undefined || options === undefined) continue;
      const where = options.split(',').map((o) => own.get(o)).find((p) => p !== undefined);
      if (where !== undefined) this.hierarchies.push({ mount, home: path.join(mount, where), cpu: options.split(',').includes('cpu') });
    }
    // Longest first: a directory belongs to the deepest mount that holds it.
    this.hierarchies.sort((a, b) => b.mount.length - a.mount.length);
  }

  /**
   * Runs `spawn` with the calling thread in every cgroup of `dirs`, then puts the thread back in
   * its own. A cgroup that cannot be joined (removed, not a cgroup) throws before anything is
   * spawned, with the thread back home.
   */
  spawnIn<T>(dirs: readonly string[] | undefined, spawn: () => T): T {
    if (dirs === undefined || dirs.length === 0) return spawn();
    const joined: Hierarchy[] = [];
    const lifted: { dir: string; quota: string }[] = [];
    try {
      for (const dir of dirs) {
        const hierarchy = this.hierarchyOf(dir);
        const quota = hierarchy.cpu ? cfsQuota(dir) : undefined;
        if (quota !== undefined) {
          writeFileSync(path.join(dir, QUOTA), '-1');
          lifted.push({ dir, quota });
        }
        writeFileSync(path.join(dir, 'tasks'), this.tid);
        joined.push(hierarchy);
      }
      return spawn();
    } finally {
      // Home first (a quota back while the thread is still in could throttle it), and the quota
      // back even if a move home failed: a container must not stay uncapped.
      let failure: unknown;
      for (const hierarchy of joined) {
        try {
          writeFileSync(path.join(hierarchy.home, 'tasks'), this.tid);
        } catch (e) {
          failure ??= e;
        }
      }
      for (const { dir, quota } of lifted) writeFileSync(path.join(dir, QUOTA), quota);
      if (failure !== undefined) throw failure;
    }
  }

  private hierarchyOf(dir: string): Hierarchy {
    const found = this.hierarchies.find((h) => dir.startsWith(`${h.mount}/`));
    if (found === undefined) throw new Error(`${dir} is in no cgroup v1 hierarchy this process belongs to`);
    return found;
  }
}

const QUOTA = 'cpu.cfs_quota_us';

/** A cpu cgroup's CFS quota, or undefined when it has none (-1). */
function cfsQuota(dir: string): string | undefined {
  const quota = readFileSync(path.join(dir, QUOTA), 'utf8').trim();
  return quota === '-1' ? undefined : quota;
}
