import { readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';

// A container's processes where it has no cgroup (the posix launcher and no cgroups isolator):
// found in /proc, by where they run.

/** What /proc/<pid>/stat and statm say of one process. */
export interface ProcSample {
  pid: number;
  pgid: number;
  utimeTicks: number;
  stimeTicks: number;
  rssPages: number;
}

/** One process of a /proc scan. */
export interface ScannedProcess {
  sample: ProcSample;
  /** Its working directory; undefined when hidden (another user's process: no task of ours). */
  cwd: string | undefined;
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

/** Every process readable now; one that exits mid-scan is skipped. */
export async function scanProcesses(procRoot = '/proc'): Promise<ScannedProcess[]> {
  const names = (await readdir(procRoot)).filter((name) => /^\d+$/.test(name));
  const scanned = await Promise.all(names.map(async (name): Promise<ScannedProcess | undefined> => {
    const dir = path.join(procRoot, name);
    try {
      const [stat, statm, cwd] = await Promise.all([
        readFile(path.join(dir, 'stat'), 'utf8'),
        readFile(path.join(dir, 'statm'), 'utf8'),
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

/**
 * A sandbox's processes: those whose working directory is in it (every task and custom
 * executor starts there) plus every member of their process groups (children that moved
 * elsewhere). `sandbox` must be a real path (symlinks resolved), as /proc shows cwds.
 */
export function sandboxMembers(processes: readonly ScannedProcess[], sandbox: string): ScannedProcess[] {
  const groups = new Set(processes.filter((p) => p.cwd !== undefined && inside(p.cwd, sandbox)).map((p) => p.sample.pgid));
  return processes.filter((p) => groups.has(p.sample.pgid) || (p.cwd !== undefined && inside(p.cwd, sandbox)));
}

function inside(candidate: string, root: string): boolean {
  return candidate === root || candidate.startsWith(`${root}${path.sep}`);
}
