import { Resources } from '@tessera/protocol';
import { containerCgroup, type CgroupHierarchy } from './host-capabilities.js';
import { destroyCgroup, makeCgroup, readKeyed, readNumber, writeControl, type Pause } from './cgroups.js';
import type { ContainerSpec, ContainerUsage, Isolator, IsolatorContext, LaunchPlan, Limitation } from './isolator.js';

/** Mesos's MIN_MEMORY: a container's memory limit is never below 32 MB. */
export const MIN_MEMORY_BYTES = 32 * 1024 * 1024;
const MB = 1024 * 1024;

/** The container's memory limit in bytes: its `mem`, at least MIN_MEMORY_BYTES. */
export function memoryLimitBytes(spec: ContainerSpec): number {
  return Math.max(MIN_MEMORY_BYTES, Math.floor(Resources.of(spec.resources).scalar('mem') * MB));
}

/**
 * cgroups/mem: one memory cgroup per container, its hard limit (and, where the kernel accounts
 * swap, its memory+swap limit, so the limit is not escaped by swapping) at the container's `mem`.
 * The kernel's OOM killer acts inside it; `limitation` reads its count from memory.oom_control.
 */
export class CgroupsMemIsolator implements Isolator {
  readonly name = 'cgroups/mem';
  /** Whether the kernel accounts swap (memory.memsw.* exist): found at the first prepare. */
  private swapAccounted: boolean | undefined;

  constructor(private readonly hierarchy: CgroupHierarchy, private readonly root: string, private readonly pause: Pause) {}

  async prepare(spec: ContainerSpec): Promise<LaunchPlan> {
    const dir = this.dir(spec);
    await makeCgroup(dir);
    this.limit(dir, memoryLimitBytes(spec), true);
    return { cgroups: [dir] };
  }

  update(spec: ContainerSpec): void {
    this.limit(this.dir(spec), memoryLimitBytes(spec), false);
  }

  usage(spec: ContainerSpec): ContainerUsage {
    const dir = this.dir(spec);
    const stat = readKeyed(dir, 'memory.stat');
    const usage: ContainerUsage = { mem_limit_bytes: memoryLimitBytes(spec) };
    const rss = stat.get('total_rss');
    const total = readNumber(dir, 'memory.usage_in_bytes');
    if (rss !== undefined) usage.mem_rss_bytes = rss;
    if (total !== undefined) usage.mem_total_bytes = total;
    return usage;
  }

  limitation(spec: ContainerSpec): Limitation | undefined {
    const dir = this.dir(spec);
    const oom = readKeyed(dir, 'memory.oom_control');
    // oom_kill counts the OOM killer's victims (Linux 4.13+); before it, a failed charge at the limit.
    const kills = oom.get('oom_kill');
    const hit = kills !== undefined ? kills > 0 : (readNumber(dir, 'memory.failcnt') ?? 0) > 0 && oom.get('under_oom') === 1;
    if (!hit) return undefined;
    const limit = memoryLimitBytes(spec);
    const peak = readNumber(dir, 'memory.max_usage_in_bytes');
    const killed = kills === undefined ? '' : ` (the kernel's OOM killer killed ${kills} process${kills === 1 ? '' : 'es'})`;
    return {
      reason: 'REASON_CONTAINER_LIMITATION_MEMORY',
      message: `Memory limit exceeded: Requested: ${limit / MB}MB Maximum Used: ${Math.round((peak ?? limit) / MB)}MB${killed}`,
    };
  }

  async cleanup(spec: ContainerSpec): Promise<void> {
    const dir = this.dir(spec);
    await destroyCgroup(dir, this.pause);
  }

  private dir(spec: ContainerSpec): string {
    return containerCgroup(this.hierarchy, this.root, spec.containerId);
  }

  /**
   * Writes the limits. Growing, the memory+swap limit goes first (it may never be below the
   * memory limit); shrinking, second. A limit under what is in use now is refused by the kernel
   * (EBUSY): at prepare that is an error, at update the old limit stays.
   */
  private limit(dir: string, bytes: number, strict: boolean): void {
    this.swapAccounted ??= readNumber(dir, 'memory.memsw.limit_in_bytes') !== undefined;
    // A new cgroup is unlimited: its limits only come down.
    const current = strict ? Infinity : readNumber(dir, 'memory.limit_in_bytes') ?? 0;
    const order: [string, number][] = bytes >= current
      ? [['memory.memsw.limit_in_bytes', bytes], ['memory.limit_in_bytes', bytes]]
      : [['memory.limit_in_bytes', bytes], ['memory.memsw.limit_in_bytes', bytes]];
    for (const [file, value] of order) {
      if (file === 'memory.memsw.limit_in_bytes' && !this.swapAccounted) continue;
      try {
        writeControl(dir, file, value);
      } catch (e) {
        if (strict || (e as NodeJS.ErrnoException).code !== 'EBUSY') throw e;
      }
    }
    writeControl(dir, 'memory.soft_limit_in_bytes', bytes);
  }
}

/** The cgroups/mem factory: needs a writable memory hierarchy. */
export function cgroupsMem(context: IsolatorContext): Isolator | string {
  const memory = context.host.cgroups.memory;
  if (memory === undefined) return context.host.missing['cgroups/memory'] ?? 'no memory cgroup hierarchy';
  return new CgroupsMemIsolator(memory, context.cgroupsRoot, context.pause);
}
