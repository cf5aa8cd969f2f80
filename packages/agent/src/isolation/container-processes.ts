import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { cgroupProcs } from './cgroups.js';
import { containerCgroup, type CgroupController, type HostCapabilities } from './host-capabilities.js';
import { sandboxMembers, scanProcesses } from './proc-processes.js';

/** Hierarchies a container's processes may be listed from, the freezer (every container's, with the linux launcher) first. */
const LISTING_ORDER: CgroupController[] = ['freezer', 'pids', 'memory', 'cpu', 'cpuacct'];

/** A container to find the processes of. */
export interface ContainerPlace {
  containerId: string;
  /** Its sandbox: where its processes run when it has no cgroup. */
  directory: string;
}

/**
 * Finds the processes of containers: every process of a container is born in each of its
 * cgroups, so one cgroup's `cgroup.procs` lists them all, daemons included. A container without
 * a cgroup (posix launcher, no cgroups isolator) has those running in its sandbox and their
 * process groups, from one /proc scan for all such containers.
 */
export class ContainerProcesses {
  constructor(private readonly host: HostCapabilities, private readonly cgroupsRoot: string, private readonly procRoot = '/proc') {}

  /** A cgroup of the container that exists, or undefined. */
  cgroupOf(containerId: string): string | undefined {
    for (const controller of LISTING_ORDER) {
      const hierarchy = this.host.cgroups[controller];
      if (hierarchy === undefined) continue;
      const dir = containerCgroup(hierarchy, this.cgroupsRoot, containerId);
      if (existsSync(dir)) return dir;
    }
    return undefined;
  }

  /** The pids of each container, by container id. */
  async pidsOf(containers: readonly ContainerPlace[]): Promise<Map<string, number[]>> {
    const found = new Map<string, number[]>();
    const homeless: ContainerPlace[] = [];
    for (const container of containers) {
      const cgroup = this.cgroupOf(container.containerId);
      if (cgroup === undefined) homeless.push(container);
      else found.set(container.containerId, cgroupProcs(cgroup));
    }
    if (homeless.length === 0) return found;
    const processes = await scanProcesses(this.procRoot);
    for (const container of homeless) {
      const sandbox = await realpath(container.directory).catch(() => container.directory);
      found.set(container.containerId, sandboxMembers(processes, sandbox).map((p) => p.sample.pid));
    }
    return found;
  }
}
