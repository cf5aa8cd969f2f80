import { realpath } from 'node:fs/promises';
import type { ContainerUsage } from '../isolation/isolator.js';
import { sandboxMembers, scanProcesses, type ScannedProcess } from '../isolation/proc-processes.js';
import type { ContainerRef } from './agent-operator.js';

export { parseStat, parseStatm, type ProcSample } from '../isolation/proc-processes.js';

/** One entry of `/monitor/statistics`, Mesos's ResourceStatistics field names. */
export interface ContainerStatistics {
  framework_id: string;
  executor_id: string;
  executor_name: string;
  source: string;
  statistics: ContainerUsage & {
    timestamp: number;
    cpus_user_time_secs: number;
    cpus_system_time_secs: number;
    mem_rss_bytes: number;
    processes: number;
  };
}

/** Linux's USER_HZ and page size: fixed at 100 and 4 KiB on every architecture Node runs on here. */
const CLOCK_TICKS = 100;
const PAGE_BYTES = 4096;

/** The figures every entry has; /proc gives them where no isolator measured them. */
const BASE_FIGURES = ['cpus_user_time_secs', 'cpus_system_time_secs', 'mem_rss_bytes', 'processes'] as const;

/**
 * Measures each container: its isolators' figures first (`ref.usage`: the cgroups' CPU times,
 * memory and processes, disk/du's disk), and from /proc whatever of CPU time, RSS and process
 * count none measured: there its processes are those running in its sandbox plus their process
 * groups. /proc is not scanned at all when the isolators measured everything. `nowSecs` stamps
 * the samples.
 */
export async function containerStatistics(containers: readonly ContainerRef[], nowSecs: number, procRoot = '/proc'): Promise<ContainerStatistics[]> {
  const needsProc = containers.some((c) => BASE_FIGURES.some((figure) => c.usage?.[figure] === undefined));
  const processes = needsProc ? await scanProcesses(procRoot) : [];
  const sandboxes = needsProc ? await Promise.all(containers.map((c) => realpath(c.directory).catch(() => c.directory))) : [];
  return containers.map((container, i) => {
    const fromProc = needsProc ? procFigures(sandboxMembers(processes, sandboxes[i]!)) : undefined;
    const statistics: ContainerStatistics['statistics'] = {
      timestamp: nowSecs,
      cpus_user_time_secs: 0, cpus_system_time_secs: 0, mem_rss_bytes: 0, processes: 0,
      ...fromProc,
      ...limitsOf(container),
      ...container.usage,
    };
    return { framework_id: container.framework_id, executor_id: container.executor_id, executor_name: container.executor_name, source: container.source, statistics };
  });
}

function procFigures(members: readonly ScannedProcess[]): Pick<ContainerStatistics['statistics'], (typeof BASE_FIGURES)[number]> {
  return {
    cpus_user_time_secs: sum(members, (p) => p.sample.utimeTicks) / CLOCK_TICKS,
    cpus_system_time_secs: sum(members, (p) => p.sample.stimeTicks) / CLOCK_TICKS,
    mem_rss_bytes: sum(members, (p) => p.sample.rssPages) * PAGE_BYTES,
    processes: members.length,
  };
}

/** The limits the container was given, where no isolator states the one it applies. */
function limitsOf(container: ContainerRef): ContainerUsage {
  const limits: ContainerUsage = {};
  if (container.cpus_limit !== undefined) limits.cpus_limit = container.cpus_limit;
  if (container.mem_limit_bytes !== undefined) limits.mem_limit_bytes = container.mem_limit_bytes;
  return limits;
}

function sum(list: readonly ScannedProcess[], value: (p: ScannedProcess) => number): number {
  return list.reduce((total, p) => total + value(p), 0);
}
