import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// Plain cgroup v1 file operations, synchronous: each is a few microseconds of kernel work on a
// pseudo-filesystem, cheaper than the promise an async call would cost.

/** Waits `ms` on the agent's clock (destroys poll the kernel for a few ms at most). */
export type Pause = (ms: number) => Promise<void>;

/** Makes the container's cgroup (and the root above it, once). */
export function makeCgroup(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

export function writeControl(dir: string, file: string, value: string | number): void {
  writeFileSync(path.join(dir, file), String(value));
}

/** A control file's text, or undefined when the cgroup (or the file) is gone. */
export function readControl(dir: string, file: string): string | undefined {
  try {
    return readFileSync(path.join(dir, file), 'utf8');
  } catch {
    return undefined;
  }
}

/** `key value` lines (memory.stat, cpuacct.stat, memory.oom_control) as numbers. */
export function readKeyed(dir: string, file: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of (readControl(dir, file) ?? '').split('\n')) {
    const [key, value] = line.split(' ');
    if (key !== undefined && value !== undefined) values.set(key, Number(value));
  }
  return values;
}

/** A control file holding one number, or undefined. */
export function readNumber(dir: string, file: string): number | undefined {
  const text = readControl(dir, file);
  return text === undefined ? undefined : Number(text.trim());
}

/** The processes in the cgroup (not in its children). */
export function cgroupProcs(dir: string): number[] {
  return (readControl(dir, 'cgroup.procs') ?? '').split('\n').filter((p) => p !== '').map(Number);
}

/** How long a destroy waits for a cgroup to freeze, and then to empty, before it gives up. */
const DESTROY_ATTEMPTS = 100;
const DESTROY_PAUSE_MS = 10;

/**
 * Kills every process of a freezer cgroup atomically: freeze (no process can fork or run while
 * the kills are sent), SIGKILL each, thaw (the kills are delivered), and wait until it is empty.
 * A process forked after the list was read cannot exist: the cgroup was frozen.
 * @throws when the cgroup does not empty within about a second.
 */
export async function freezeAndKill(dir: string, pause: Pause): Promise<void> {
  // Empty (the usual end: the task exited, its group was killed): nothing to freeze. No process
  // can enter it any more: it is only ever joined at a launch, and its run is over.
  if (cgroupProcs(dir).length === 0) return;
  writeControl(dir, 'freezer.state', 'FROZEN');
  // A process in uninterruptible sleep keeps the cgroup FREEZING; then the sweeps below finish the job.
  for (let i = 0; i < DESTROY_ATTEMPTS && readControl(dir, 'freezer.state')?.trim() === 'FREEZING'; i++) await pause(DESTROY_PAUSE_MS);
  for (const pid of cgroupProcs(dir)) kill(pid);
  writeControl(dir, 'freezer.state', 'THAWED');
  await waitEmpty(dir, pause);
}

/** Kills a cgroup's processes until it is empty (no freezer: a fork may race a sweep, so it sweeps again). */
export async function killAll(dir: string, pause: Pause): Promise<void> {
  if (!existsSync(dir)) return;
  await waitEmpty(dir, pause);
}

async function waitEmpty(dir: string, pause: Pause): Promise<void> {
  for (let i = 0; i < DESTROY_ATTEMPTS; i++) {
    const pids = cgroupProcs(dir);
    if (pids.length === 0) return;
    for (const pid of pids) kill(pid);
    await pause(DESTROY_PAUSE_MS);
  }
  throw new Error(`${dir} still holds processes ${cgroupProcs(dir).join(' ')}`);
}

/** Removes an empty cgroup; one already gone is no error. */
export function removeCgroup(dir: string): void {
  try {
    rmdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}
