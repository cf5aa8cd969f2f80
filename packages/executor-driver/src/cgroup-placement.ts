import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// Placement without a shell: a cgroup v1 process is born in the cgroups of the thread that forks
// it. Node forks in spawn(), synchronously, on the main thread; so the launcher moves that one
// thread (its tid is the process's pid: `tasks`, not `cgroup.procs`, which would move every
// thread) into the container's cgroups, spawns, and moves it back. The task never runs outside
// its container, and no wrapper is exec'd. Node modules only: spawner-main imports this.

/** A cgroup v1 mount: its directory, and the thread's own cgroup there when placement began. */
interface Hierarchy {
  mount: string;
  home: string;
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
      if (where !== undefined) this.hierarchies.push({ mount, home: path.join(mount, where) });
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
    try {
      for (const dir of dirs) {
        const hierarchy = this.hierarchyOf(dir);
        writeFileSync(path.join(dir, 'tasks'), this.tid);
        joined.push(hierarchy);
      }
      return spawn();
    } finally {
      for (const hierarchy of joined) writeFileSync(path.join(hierarchy.home, 'tasks'), this.tid);
    }
  }

  private hierarchyOf(dir: string): Hierarchy {
    const found = this.hierarchies.find((h) => dir.startsWith(`${h.mount}/`));
    if (found === undefined) throw new Error(`${dir} is in no cgroup v1 hierarchy this process belongs to`);
    return found;
  }
}
