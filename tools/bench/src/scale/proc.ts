import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const TICK_MS = 10;

/** CPU ms (user + system) a live process has used so far, from /proc; undefined once it is gone. */
export function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start at state, field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[14 - 3]) + Number(fields[15 - 3])) * TICK_MS;
  } catch {
    return undefined;
  }
}

/** Resident memory of a live process in MiB (VmRSS), from /proc. */
export function rssMb(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}

/** CPU used by each named process between two readings. */
export class CpuMeter {
  private readonly before = new Map<string, number>();

  constructor(private readonly pids: Record<string, number>) {
    for (const [name, pid] of Object.entries(pids)) this.before.set(name, name === 'bench' ? ownCpuMs() : cpuMs(pid) ?? 0);
  }

  /** ms of CPU per process since construction. */
  read(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) out[name] = (name === 'bench' ? ownCpuMs() : cpuMs(pid) ?? 0) - this.before.get(name)!;
    return out;
  }
}

/** This process's own CPU ms. */
function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** The machine's description for the report: cores, model, memory, Node. */
export function machine(): string {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? 'unknown cpu';
  const cores = cpuinfo.split('\n').filter((l) => l.startsWith('processor')).length;
  const memGb = Math.round(Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1024 / 1024);
  return `${cores} vCPU ${model}, ${memGb} GiB, Node ${process.versions.node}`;
}
