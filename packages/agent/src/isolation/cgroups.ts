import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir, rmdir } from 'node:fs/promises';
import path from 'node:path';

// Plain cgroup v1 file operations. Reads and writes of control files are synchronous: a few
// microseconds of kernel work each, cheaper than the promise an async call costs. Making and
// removing a cgroup is not (30-60 us of kernel work each, five per container): those run on
// libuv's threads, off the agent's loop.

/** Waits `ms` on the agent's clock (destroys poll the kernel for a few ms at most). */
export type Pause = (ms: number) => Promise<void>;

/**
 * Waits for every one of `promises`, then throws the first failure: nothing is left in flight
 * behind an error (a cgroup made after its container's destroy removed the others would leak).
 */
export async function allSettled<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const outcomes = await Promise.allSettled(promises);
  const failed = outcomes.find((o) => o.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return outcomes.map((o) => (o as PromiseFulfilledResult<T>).value);
}

/** Makes the container's cgroup (and the root above it, once). */
export async function makeCgroup(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
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

/** How long a destroy sweeps a cgroup until it is empty, before it gives up: 5 s. */
const DESTROY_ATTEMPTS = 500;
const DESTROY_PAUSE_MS = 10;

/**
 * Kills every process of a freezer cgroup: freeze (a frozen process cannot fork), SIGKILL each,
 * thaw (the kills are delivered), then sweep until it is empty. Freezing is not awaited: a
 * process in uninterruptible sleep keeps the cgroup FREEZING for as long as it sleeps, and a
 * cgroup must never be left frozen by an agent that stops meanwhile. One that was not frozen yet
 * and forked meanwhile is caught by the sweeps.
 * @throws when the cgroup does not empty within about 5 s.
 */
export async function freezeAndKill(dir: string, pause: Pause): Promise<void> {
  // Empty (the usual end: the task exited, its group was killed): nothing to freeze. No process
  // can enter it any more: it is only ever joined at a launch, and its run is over.
  if (cgroupProcs(dir).length === 0) return;
  writeControl(dir, 'freezer.state', 'FROZEN');
  try {
    for (const pid of cgroupProcs(dir)) kill(pid);
  } finally {
    writeControl(dir, 'freezer.state', 'THAWED');
  }
  await waitEmpty(dir, pause);
}

/**
 * Removes a container's cgroup; one still holding processes (no freezer, or a process the freezer
 * did not hold) has them killed first, sweep after sweep, since a fork may race a sweep.
 */
export async function destroyCgroup(dir: string, pause: Pause): Promise<void> {
  if (await tryRemoveCgroup(dir)) return;
  await waitEmpty(dir, pause);
  await removeCgroup(dir);
}

/**
 * Removes a cgroup if it is empty: true when it is gone (or never was), false when processes
 * hold it (EBUSY).
 */
export async function tryRemoveCgroup(dir: string): Promise<boolean> {
  try {
    await rmdir(dir);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return true;
    if (code !== 'EBUSY') throw e;
    return false;
  }
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

/** Removes an empty cgroup; one already gone is no error, one still held is. */
export async function removeCgroup(dir: string): Promise<void> {
  if (!(await tryRemoveCgroup(dir))) throw new Error(`${dir} still holds processes`);
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}
