/**
 * Nothing the harness starts may outlive the test process.
 *
 * - Every server is tracked from before its spawn until it stopped; `stopAllNatsServers()` in an
 *   after-hook stops them all, and an exit handler SIGKILLs any still running when the process
 *   ends (synchronously, the only kind of work an exit handler can do).
 * - Each server lives in a `tessera-nats-*` temp dir (config and, by default, JetStream store)
 *   that stop() and the exit handler remove. A test process that is SIGKILLed can remove nothing
 *   (its servers die with it, see launch.ts), so each dir names its owning process and every
 *   start first removes the dirs whose owner is gone.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** What the registry needs of a server. */
export interface TrackedServer {
  stop(): Promise<void>;
  /** SIGKILL the process and remove temp files now, synchronously. */
  killNow(): void;
}

const live = new Set<TrackedServer>();
let exitHookInstalled = false;

function killAllNow(): void {
  for (const server of live) server.killNow();
  live.clear();
}

/** Track a server from before its process is spawned until it stopped. */
export function track(server: TrackedServer): void {
  live.add(server);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', killAllNow);
  }
}

/** Forget a server once it stopped for good. */
export function untrack(server: TrackedServer): void {
  live.delete(server);
}

/** How many servers are started and not yet stopped (killed ones count: they can restart). */
export function liveNatsServerCount(): number {
  return live.size;
}

/**
 * Stop every server and cluster member started in this process and not stopped yet, in parallel.
 * Meant for `after`/`afterEach` hooks. Rejects with an AggregateError if some did not stop cleanly.
 */
export async function stopAllNatsServers(): Promise<void> {
  const results = await Promise.allSettled([...live].map((server) => server.stop()));
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (errors.length > 0) throw new AggregateError(errors, `${errors.length} nats-server(s) did not stop cleanly`);
}

// --- temp dirs ---

const PREFIX = 'tessera-nats-';
const OWNER_FILE = 'owner.pid';

/** A fresh `tessera-nats-*` directory, marked as owned by this process. */
export async function makeTempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), PREFIX));
  await writeFile(path.join(dir, OWNER_FILE), `${process.pid}\n`, 'utf8');
  return dir;
}

/** True when a process with this pid exists (ours or another user's). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove `tessera-nats-*` dirs whose owning process no longer exists. Dirs without an owner file
 * are left alone (not ours to judge), as are dirs of live processes, such as a parallel test run.
 * Best effort: a failure here must never fail a start.
 */
export async function sweepAbandonedDirs(): Promise<void> {
  try {
    const entries = await readdir(os.tmpdir());
    await Promise.all(
      entries
        .filter((name) => name.startsWith(PREFIX))
        .map(async (name) => {
          const dir = path.join(os.tmpdir(), name);
          const owner = Number.parseInt(await readFile(path.join(dir, OWNER_FILE), 'utf8').catch(() => ''), 10);
          if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && !processExists(owner)) {
            await rm(dir, { recursive: true, force: true });
          }
        }),
    );
  } catch {
    // An unreadable temp dir only means nothing gets swept.
  }
}
