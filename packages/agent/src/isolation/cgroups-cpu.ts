import { Resources } from '@tessera/protocol';
import { containerCgroup, type CgroupHierarchy } from './host-capabilities.js';
import { allSettled, destroyCgroup, makeCgroup, readKeyed, writeControl, type Pause } from './cgroups.js';
import type { ContainerSpec, ContainerUsage, Isolator, IsolatorContext, LaunchPlan } from './isolator.js';

/** Mesos's CPU_SHARES_PER_CPU and MIN_CPU_SHARES. */
export const CPU_SHARES_PER_CPU = 1024;
export const MIN_CPU_SHARES = 2;
/** The CFS period (100 ms, the kernel's default) and Mesos's MIN_CPU_CFS_QUOTA (1 ms). */
export const CFS_PERIOD_US = 100_000;
export const MIN_CFS_QUOTA_US = 1_000;
/** cpuacct.stat counts in USER_HZ ticks: 100 a second on Linux. */
const USER_HZ = 100;

/** cpu.shares and the CFS quota for `cpus`, as Mesos's cgroups/cpu computes them. */
export function cpuControls(cpus: number): { shares: number; quotaUs: number } {
  return {
    shares: Math.max(MIN_CPU_SHARES, Math.floor(CPU_SHARES_PER_CPU * cpus)),
    quotaUs: Math.max(MIN_CFS_QUOTA_US, Math.floor(cpus * CFS_PERIOD_US)),
  };
}

/**
 * cgroups/cpu: one cpu cgroup per container with cpu.shares = 1024 x cpus (its weight when the
 * CPUs are contended) and, with CFS enabled, a hard cap of cpus x the 100 ms period; plus a
 * cpuacct cgroup (the same one where the hierarchies are mounted together) for its usage.
 */
export class CgroupsCpuIsolator implements Isolator {
  readonly name = 'cgroups/cpu';

  constructor(
    private readonly cpu: CgroupHierarchy,
    private readonly cpuacct: CgroupHierarchy | undefined,
    private readonly root: string,
    private readonly enableCfs: boolean,
    private readonly pause: Pause,
  ) {}

  async prepare(spec: ContainerSpec): Promise<LaunchPlan> {
    const dirs = this.dirs(spec);
    await allSettled(dirs.map(makeCgroup));
    // A new cgroup's period is the kernel's default, CFS_PERIOD_US: only the quota is written.
    this.write(spec, false);
    return { cgroups: dirs };
  }

  update(spec: ContainerSpec): void {
    this.write(spec, true);
  }

  private write(spec: ContainerSpec, period: boolean): void {
    const dir = this.cpuDir(spec);
    const { shares, quotaUs } = cpuControls(cpusOf(spec));
    writeControl(dir, 'cpu.shares', shares);
    if (!this.enableCfs) return;
    if (period) writeControl(dir, 'cpu.cfs_period_us', CFS_PERIOD_US);
    writeControl(dir, 'cpu.cfs_quota_us', quotaUs);
  }

  usage(spec: ContainerSpec): ContainerUsage {
    const usage: ContainerUsage = { cpus_limit: cpusOf(spec) };
    const acct = this.acctDir(spec);
    if (acct !== undefined) {
      const stat = readKeyed(acct, 'cpuacct.stat');
      const user = stat.get('user');
      const system = stat.get('system');
      if (user !== undefined) usage.cpus_user_time_secs = user / USER_HZ;
      if (system !== undefined) usage.cpus_system_time_secs = system / USER_HZ;
    }
    const throttling = readKeyed(this.cpuDir(spec), 'cpu.stat');
    const periods = throttling.get('nr_periods');
    const throttled = throttling.get('nr_throttled');
    const throttledNs = throttling.get('throttled_time');
    if (periods !== undefined) usage.cpus_nr_periods = periods;
    if (throttled !== undefined) usage.cpus_nr_throttled = throttled;
    if (throttledNs !== undefined) usage.cpus_throttled_time_secs = throttledNs / 1e9;
    return usage;
  }

  async cleanup(spec: ContainerSpec): Promise<void> {
    await allSettled(this.dirs(spec).map((dir) => destroyCgroup(dir, this.pause)));
  }

  private cpuDir(spec: ContainerSpec): string {
    return containerCgroup(this.cpu, this.root, spec.containerId);
  }

  private acctDir(spec: ContainerSpec): string | undefined {
    return this.cpuacct === undefined ? undefined : containerCgroup(this.cpuacct, this.root, spec.containerId);
  }

  private dirs(spec: ContainerSpec): string[] {
    const acct = this.acctDir(spec);
    const cpu = this.cpuDir(spec);
    return acct === undefined || acct === cpu ? [cpu] : [cpu, acct];
  }
}

function cpusOf(spec: ContainerSpec): number {
  return Resources.of(spec.resources).scalar('cpus');
}

/** The cgroups/cpu factory: needs a writable cpu hierarchy (cpuacct for usage, when there is one). */
export function cgroupsCpu(context: IsolatorContext): Isolator | string {
  const cpu = context.host.cgroups.cpu;
  if (cpu === undefined) return context.host.missing['cgroups/cpu'] ?? 'no cpu cgroup hierarchy';
  return new CgroupsCpuIsolator(cpu, context.host.cgroups.cpuacct, context.cgroupsRoot, context.settings.enableCfs, context.pause);
}
