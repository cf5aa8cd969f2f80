import { containerCgroup, type CgroupHierarchy } from './host-capabilities.js';
import { cgroupProcs, destroyCgroup, makeCgroup, readNumber, writeControl, type Pause } from './cgroups.js';
import type { ContainerSpec, ContainerUsage, Isolator, IsolatorContext, LaunchPlan } from './isolator.js';

/**
 * The default `pids.max` of a container: Mesos sets no limit; 4096 tasks (threads count) is far
 * above what a task of a few CPUs runs, and far below what a fork bomb takes to hurt the host.
 */
export const DEFAULT_PIDS_LIMIT = 4096;

/**
 * cgroups/pids: one pids cgroup per container with `pids.max` at the agent's limit, so a fork
 * bomb fails to fork (EAGAIN) inside its container instead of filling the host's process table.
 */
export class CgroupsPidsIsolator implements Isolator {
  readonly name = 'cgroups/pids';

  constructor(private readonly hierarchy: CgroupHierarchy, private readonly root: string, private readonly limit: number, private readonly pause: Pause) {
    if (!(Number.isSafeInteger(limit) && limit > 0)) throw new Error(`the pids limit must be a positive integer, got ${limit}`);
  }

  async prepare(spec: ContainerSpec): Promise<LaunchPlan> {
    const dir = this.dir(spec);
    await makeCgroup(dir);
    writeControl(dir, 'pids.max', this.limit);
    return { cgroups: [dir] };
  }

  usage(spec: ContainerSpec): ContainerUsage {
    const dir = this.dir(spec);
    const usage: ContainerUsage = { processes: cgroupProcs(dir).length };
    const threads = readNumber(dir, 'pids.current');
    if (threads !== undefined) usage.threads = threads;
    return usage;
  }

  async cleanup(spec: ContainerSpec): Promise<void> {
    const dir = this.dir(spec);
    await destroyCgroup(dir, this.pause);
  }

  private dir(spec: ContainerSpec): string {
    return containerCgroup(this.hierarchy, this.root, spec.containerId);
  }
}

/** The cgroups/pids factory: needs a writable pids hierarchy. */
export function cgroupsPids(context: IsolatorContext): Isolator | string {
  const pids = context.host.cgroups.pids;
  if (pids === undefined) return context.host.missing['cgroups/pids'] ?? 'no pids cgroup hierarchy';
  return new CgroupsPidsIsolator(pids, context.cgroupsRoot, context.settings.pidsLimit, context.pause);
}
