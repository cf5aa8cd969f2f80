import { readFileSync, readdirSync } from 'node:fs';

/** CPU ms (user + system) of a process and of its children it has reaped, from /proc. */
function processCpuMs(pid: number, tickMs: number): { self: number; reaped: number; parent: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command (which may hold spaces) start at state (field 3).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const n = (i: number): number => Number(fields[i - 3]);
  return { self: (n(14) + n(15)) * tickMs, reaped: (n(16) + n(17)) * tickMs, parent: n(4) };
}

/**
 * The CPU a process tree has used so far: the root's own, and every live descendant's own plus
 * what their reaped children used. Compare two readings taken while the same descendants live
 * (the executor hosts live for the whole bench) to get what a stretch of work cost.
 */
export function treeCpuMs(root = process.pid, tickMs = 10): { root: number; descendants: number; byCommand: Record<string, number> } {
  const parents = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const read = processCpuMs(pid, tickMs);
    if (read === undefined) continue;
    parents.set(pid, read.parent);
    cpu.set(pid, read.self + read.reaped);
  }
  const inTree = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) if (p === root) return true;
    return false;
  };
  let descendants = 0;
  const byCommand: Record<string, number> = {};
  for (const [pid, ms] of cpu) {
    if (pid === root || !inTree(pid)) continue;
    descendants += ms;
    const command = commandOf(pid);
    byCommand[command] = (byCommand[command] ?? 0) + ms;
  }
  const self = processCpuMs(root, tickMs);
  return { root: self?.self ?? 0, descendants: descendants + (self?.reaped ?? 0), byCommand };
}

/** A process's program, by the last path part of its main file (node's script, or the binary). */
function commandOf(pid: number): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
    const main = argv[0]?.endsWith('node') && argv[1] !== undefined ? argv.find((a, i) => i > 0 && !a.startsWith('-')) ?? argv[0] : argv[0];
    return (main ?? '?').split('/').pop()!;
  } catch {
    return '?';
  }
}
