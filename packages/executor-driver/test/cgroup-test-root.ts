import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Cgroups made by one test run, all under `tessera-test-<pid>` beside this process's own cgroup
 * in each hierarchy, and removed (their processes killed first) by `removeAll`.
 */
export class CgroupTestRoot {
  private readonly name = `tessera-test-${process.pid}`;
  private readonly made: string[] = [];

  /** The directory of this process's cgroup in the hierarchy with `controller`, or why it cannot be used. */
  static hierarchy(controller: string): { dir: string } | { missing: string } {
    const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' '));
    const mount = mounts.find(([, , type, options]) => type === 'cgroup' && options!.split(',').includes(controller))?.[1];
    if (mount === undefined) return { missing: `no cgroup v1 hierarchy with the ${controller} controller is mounted` };
    const own = readFileSync('/proc/self/cgroup', 'utf8').split('\n').map((l) => l.split(':')).find((p) => p[1]?.split(',').includes(controller))?.[2];
    if (own === undefined) return { missing: `this process has no ${controller} cgroup` };
    const dir = path.join(mount, own);
    try {
      const probe = path.join(dir, `tessera-probe-${process.pid}`);
      mkdirSync(probe);
      rmdirSync(probe);
    } catch (e) {
      return { missing: `cannot make a cgroup under ${dir}: ${(e as NodeJS.ErrnoException).code}` };
    }
    return { dir };
  }

  /** A new cgroup for `controller` named `leaf` under this run's root. */
  make(controller: string, leaf: string): string {
    const found = CgroupTestRoot.hierarchy(controller);
    if ('missing' in found) throw new Error(found.missing);
    const root = path.join(found.dir, this.name);
    if (!existsSync(root)) {
      mkdirSync(root);
      this.made.push(root);
    }
    const dir = path.join(root, leaf);
    mkdirSync(dir);
    this.made.push(dir);
    return dir;
  }

  /** Kills what is left in the run's cgroups (thawing frozen ones) and removes them, deepest first. */
  async removeAll(): Promise<void> {
    for (const dir of this.made.splice(0).reverse()) {
      if (!existsSync(dir)) continue;
      for (const child of readdirSync(dir)) if (statSync(path.join(dir, child)).isDirectory()) await removeTree(path.join(dir, child));
      await removeTree(dir);
    }
  }
}

async function removeTree(dir: string): Promise<void> {
  for (const child of readdirSync(dir)) if (statSync(path.join(dir, child)).isDirectory()) await removeTree(path.join(dir, child));
  if (existsSync(path.join(dir, 'freezer.state'))) writeFileSync(path.join(dir, 'freezer.state'), 'THAWED');
  for (let attempt = 0; attempt < 200; attempt++) {
    const pids = readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter((p) => p !== '');
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone already
      }
    }
    try {
      rmdirSync(dir);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EBUSY') throw e;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  throw new Error(`${dir} stayed busy`);
}
