import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import path from 'node:path';

/** The cgroup v1 controllers the isolators use. */
export type CgroupController = 'memory' | 'cpu' | 'cpuacct' | 'pids' | 'freezer';
const CONTROLLERS: CgroupController[] = ['memory', 'cpu', 'cpuacct', 'pids', 'freezer'];
/** A file each controller's cgroups must have for the isolator to work. */
const CONTROL_FILE: Record<CgroupController, string> = {
  memory: 'memory.limit_in_bytes',
  cpu: 'cpu.cfs_quota_us',
  cpuacct: 'cpuacct.usage',
  pids: 'pids.max',
  freezer: 'freezer.state',
};

/** A writable cgroup v1 hierarchy, and where this agent sits in it. */
export interface CgroupHierarchy {
  /** Where the hierarchy is mounted, e.g. /sys/fs/cgroup/memory. */
  mount: string;
  /** The agent's own cgroup in it (from /proc/self/cgroup), e.g. `/` or `/user.slice`. */
  own: string;
}

/** What this host offers for isolation, found once at the agent's start. */
export interface HostCapabilities {
  /** Writable cgroup v1 hierarchies by controller (cpu and cpuacct may share one). */
  cgroups: Partial<Record<CgroupController, CgroupHierarchy>>;
  /** `unshare --pid --fork --mount-proc` works: its path. */
  unshare: string | undefined;
  /** bubblewrap works: its path. */
  bubblewrap: string | undefined;
  /** Why each missing feature is missing, by feature ('cgroups/memory', 'unshare', 'bubblewrap'). */
  missing: Record<string, string>;
}

/** The cgroup directory of a container: under the agent's own cgroup, so it stays within the agent's limits. */
export function containerCgroup(hierarchy: CgroupHierarchy, root: string, containerId: string): string {
  return path.join(hierarchy.mount, hierarchy.own, root, containerId);
}

/** The mount point of each cgroup v1 controller, from /proc/self/mounts text. */
export function parseCgroupMounts(mounts: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of mounts.split('\n')) {
    const [, mountPoint, type, options] = line.split(' ');
    if (type !== 'cgroup' || mountPoint === undefined || options === undefined) continue;
    for (const option of options.split(',')) if (!found.has(option)) found.set(option, unescapeMount(mountPoint));
  }
  return found;
}

/** This process's cgroup path by controller, from /proc/self/cgroup text (v1 lines only). */
export function parseProcCgroup(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\d+:([^:]+):(.*)$/.exec(line);
    if (match === null) continue;
    for (const controller of match[1]!.split(',')) found.set(controller, match[2]!);
  }
  return found;
}

/** /proc/mounts writes spaces and the like as octal escapes. */
function unescapeMount(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Where to look for the probes' inputs (tests point them elsewhere). */
export interface DetectionSources {
  mounts?: string;
  procCgroup?: string;
  /** Skip running unshare and bwrap (tests of the parsing). */
  probeCommands?: boolean;
}

/**
 * Finds what this host offers: each cgroup v1 hierarchy is tried by making (and removing) a probe
 * cgroup under the agent's own; unshare and bubblewrap are run once on /bin/true. Takes a few ms.
 */
export function detectHostCapabilities(sources: DetectionSources = {}): HostCapabilities {
  const missing: Record<string, string> = {};
  const cgroups: HostCapabilities['cgroups'] = {};
  const mounts = parseCgroupMounts(readOr(sources.mounts ?? '/proc/self/mounts'));
  const own = parseProcCgroup(readOr(sources.procCgroup ?? '/proc/self/cgroup'));
  for (const controller of CONTROLLERS) {
    const mount = mounts.get(controller);
    const where = own.get(controller);
    if (mount === undefined || where === undefined) {
      missing[`cgroups/${controller}`] = `no cgroup v1 hierarchy with the ${controller} controller is mounted`;
      continue;
    }
    const problem = probeHierarchy({ mount, own: where }, controller);
    if (problem === undefined) cgroups[controller] = { mount, own: where };
    else missing[`cgroups/${controller}`] = problem;
  }
  let unshare: string | undefined;
  let bubblewrap: string | undefined;
  if (sources.probeCommands ?? true) {
    unshare = probeCommand('unshare', ['--pid', '--fork', '--mount-proc', '/bin/true'], missing);
    bubblewrap = probeCommand('bwrap', ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--unshare-pid', '--die-with-parent', '/bin/true'], missing);
  }
  return { cgroups, unshare, bubblewrap, missing };
}

function probeHierarchy(hierarchy: CgroupHierarchy, controller: CgroupController): string | undefined {
  const base = path.join(hierarchy.mount, hierarchy.own);
  const probe = path.join(base, `tessera-probe-${process.pid}`);
  try {
    accessSync(base, constants.W_OK);
    mkdirSync(probe);
  } catch (e) {
    return `cannot make a cgroup under ${base}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
  try {
    if (!existsSync(path.join(probe, CONTROL_FILE[controller]))) return `${base} has no ${CONTROL_FILE[controller]}`;
    return undefined;
  } finally {
    try {
      rmdirSync(probe);
    } catch {
      // An empty cgroup is always removable; nothing useful to do if not.
    }
  }
}

/** The command's path when it is on PATH and runs the probe with status 0; else why not, in `missing`. */
function probeCommand(name: string, args: string[], missing: Record<string, string>): string | undefined {
  const found = (process.env.PATH ?? '/usr/bin:/bin').split(':').map((dir) => path.join(dir, name)).find((file) => isExecutable(file));
  if (found === undefined) {
    missing[name] = `${name} is not installed (not on PATH)`;
    return undefined;
  }
  const run = spawnSync(found, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5_000 });
  if (run.status === 0) return found;
  const why = run.error?.message ?? (run.stderr.toString().trim().split('\n')[0] || `exit ${run.status ?? run.signal}`);
  missing[name] = `${found} ${args.slice(0, 3).join(' ')} ... failed: ${why}`;
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
