import { readdir, readFile, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { ContainerRef } from './agent-operator.js';

/** One entry of `/monitor/statistics`, Mesos's ResourceStatistics field names. */
export interface ContainerStatistics {
  framework_id: string;
  executor_id: string;
  executor_name: string;
  source: string;
  statistics: {
    timestamp: number;
    cpus_user_time_secs: number;
    cpus_system_time_secs: number;
    cpus_limit?: number;
    mem_rss_bytes: number;
    mem_limit_bytes?: number;
    processes: number;
  };
}

/** Linux's USER_HZ and page size: fixed at 100 and 4 KiB on every architecture Node runs on here. */
const CLOCK_TICKS = 100;
const PAGE_BYTES = 4096;

/** What /proc/<pid>/stat and statm say of one process. */
export interface ProcSample {
  pid: number;
  pgid: number;
  utimeTicks: number;
  stimeTicks: number;
  rssPages: number;
}

/**
 * Parses /proc/<pid>/stat: the command name is in parentheses and may hold spaces or ')', so the
 * fields are counted from the last ')'. Field 5 is the process group, 14 and 15 the user and
 * system times in clock ticks. Returns undefined for text that is not a stat line.
 */
export function parseStat(text: string): Omit<ProcSample, 'rssPages'> | undefined {
  const close = text.lastIndexOf(')');
  const pid = Number.parseInt(text, 10);
  if (close < 0 || !Number.isInteger(pid)) return undefined;
  // After ") ": state(3) ppid(4) pgrp(5) session(6) tty(7) tpgid(8) flags(9) minflt(10) cminflt(11) majflt(12) cmajflt(13) utime(14) stime(15)
  const fields = text.slice(close + 2).trim().split(/\s+/);
  const pgid = Number(fields[2]);
  const utimeTicks = Number(fields[11]);
  const stimeTicks = Number(fields[12]);
  if (![pgid, utimeTicks, stimeTicks].every(Number.isFinite)) return undefined;
  return { pid, pgid, utimeTicks, stimeTicks };
}

/** /proc/<pid>/statm: size resident shared ... in pages. */
export function parseStatm(text: string): number | undefined {
  const rss = Number(text.trim().split(/\s+/)[1]);
  return Number.isFinite(rss) ? rss : undefined;
}

/**
 * Measures each container from /proc (cgroups come later): its processes are those whose working
 * directory is in its sandbox (every task and custom executor starts there) plus every member of
 * their process groups (children that moved elsewhere). `nowSecs` stamps the samples.
 */
export async function containerStatistics(containers: readonly ContainerRef[], nowSecs: number, procRoot = '/proc'): Promise<ContainerStatistics[]> {
  const sandboxes = await Promise.all(containers.map((c) => realpath(c.directory).catch(() => c.directory)));
  const processes = await scanProcesses(procRoot);
  const out: ContainerStatistics[] = [];
  containers.forEach((container, i) => {
    const root = sandboxes[i]!;
    const groups = new Set(processes.filter((p) => p.cwd !== undefined && inside(p.cwd, root)).map((p) => p.sample.pgid));
    const members = processes.filter((p) => groups.has(p.sample.pgid) || (p.cwd !== undefined && inside(p.cwd, root)));
    const statistics: ContainerStatistics['statistics'] = {
      timestamp: nowSecs,
      cpus_user_time_secs: sum(members, (p) => p.sample.utimeTicks) / CLOCK_TICKS,
      cpus_system_time_secs: sum(members, (p) => p.sample.stimeTicks) / CLOCK_TICKS,
      mem_rss_bytes: sum(members, (p) => p.sample.rssPages) * PAGE_BYTES,
      processes: members.length,
    };
    if (container.cpus_limit !== undefined) statistics.cpus_limit = container.cpus_limit;
    if (container.mem_limit_bytes !== undefined) statistics.mem_limit_bytes = container.mem_limit_bytes;
    out.push({ framework_id: container.framework_id, executor_id: container.executor_id, executor_name: container.executor_name, source: container.source, statistics });
  });
  return out;
}

interface ScannedProcess {
  sample: ProcSample;
  cwd: string | undefined;
}

/** Every process readable now; one that exits mid-scan is skipped. */
async function scanProcesses(procRoot: string): Promise<ScannedProcess[]> {
  const names = (await readdir(procRoot)).filter((name) => /^\d+$/.test(name));
  const scanned = await Promise.all(names.map(async (name): Promise<ScannedProcess | undefined> => {
    const dir = path.join(procRoot, name);
    try {
      const [stat, statm, cwd] = await Promise.all([
        readFile(path.join(dir, 'stat'), 'utf8'),
        readFile(path.join(dir, 'statm'), 'utf8'),
        // Another user's process hides its cwd: it is no task of ours.
        readlink(path.join(dir, 'cwd')).catch(() => undefined),
      ]);
      const parsed = parseStat(stat);
      const rssPages = parseStatm(statm);
      if (parsed === undefined || rssPages === undefined) return undefined;
      return { sample: { ...parsed, rssPages }, cwd };
    } catch {
      return undefined;
    }
  }));
  return scanned.filter((p): p is ScannedProcess => p !== undefined);
}

function inside(candidate: string, root: string): boolean {
  return candidate === root || candidate.startsWith(`${root}${path.sep}`);
}

function sum(list: readonly ScannedProcess[], value: (p: ScannedProcess) => number): number {
  return list.reduce((total, p) => total + value(p), 0);
}
