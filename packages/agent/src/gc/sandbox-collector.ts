import { mkdirSync, renameSync } from 'node:fs';
import { readdir, rm, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import type { Logger, Timer } from '@tessera/process';
import type { AgentState, ExecutorRun } from '../agent-state.js';
import { frameworkDirectory } from '../sandbox.js';
import { maxSandboxAgeMs, type GcPolicy } from './gc-policy.js';
import { GcSchedule, isWithin } from './gc-schedule.js';

/** The fraction (0 to 1) of the file system holding `dir` that is in use. */
export type DiskUsage = (dir: string) => Promise<number>;

/** Mesos's fs::usage: used blocks over all blocks. */
export const statfsDiskUsage: DiskUsage = async (dir) => {
  const fs = await statfs(dir);
  return fs.blocks === 0 ? 0 : (fs.blocks - fs.bfree) / fs.blocks;
};

/** What the collector needs of the agent it works for; callbacks run in the agent's mailbox. */
export interface CollectorPort {
  readonly logger: Logger;
  now(): number;
  delay(ms: number, fn: () => void): Timer;
  whenSettled<T>(promise: Promise<T>, fn: (outcome: { ok: true; value: T } | { ok: false; error: Error }) => void): void;
}

/** Where due paths are moved before they are deleted, in the agent's directory. */
const TRASH = 'gc-trash';

/** What the collector has done (Mesos's gc/path_removals_* metrics). */
export interface CollectorStats {
  pending: number;
  removalsSucceeded: number;
  removalsFailed: number;
}

/**
 * Removes finished sandboxes (Mesos's GarbageCollector with the agent's disk watch): a path is
 * scheduled when its run, executor or framework is done, and every disk watch interval the
 * paths older than the delay scaled by free disk (maxSandboxAgeMs) go. A due path is moved
 * into a trash directory inside the agent's mailbox, so a launch that makes the same directory
 * again a moment later gets a fresh one, then deleted off the mailbox. The timer runs only
 * while something is scheduled.
 */
export class SandboxCollector {
  private readonly schedule = new GcSchedule();
  private timer: Timer | undefined;
  private checking = false;
  private trashed = 0;
  private succeeded = 0;
  private failed = 0;

  constructor(
    private readonly port: CollectorPort,
    private readonly state: AgentState,
    private readonly policy: GcPolicy,
    private readonly diskUsage: DiskUsage,
    private readonly workDir: string,
  ) {}

  stats(): CollectorStats {
    return { pending: this.schedule.size, removalsSucceeded: this.succeeded, removalsFailed: this.failed };
  }

  /** A run ended: its sandbox goes, and its executor's directory unless the executor runs again. */
  runEnded(run: ExecutorRun): void {
    const now = this.port.now();
    this.schedule.schedule(run.directory, now);
    this.schedule.schedule(executorDirectoryOf(run.directory), now);
    this.arm();
  }

  /** A run is about to be made in `directory`: its executor's and framework's directories stay. */
  runStarting(directory: string): void {
    const executorDir = executorDirectoryOf(directory);
    this.schedule.unschedule(executorDir);
    this.schedule.unschedule(path.dirname(path.dirname(executorDir)));
  }

  /** The agent forgot a framework (nothing of it runs or waits): its directory goes. */
  frameworkDone(agentId: string, frameworkId: string): void {
    this.schedule.schedule(frameworkDirectory(this.workDir, agentId, frameworkId), this.port.now());
    this.arm();
  }

  /**
   * Finds what a previous run of this agent left in its directory (frameworks, executors and
   * runs no longer in use, and its trash) and schedules it by modification time, as Mesos's
   * recovery does: a restart loses the schedule kept in memory.
   */
  recover(agentId: string): void {
    const agentDir = path.join(this.workDir, 'agents', agentId);
    // What a removal cut short by the agent's end left behind.
    void rm(path.join(agentDir, TRASH), { recursive: true, force: true }).catch(() => undefined);
    this.port.whenSettled(findLeftovers(agentDir), (outcome) => {
      if (!outcome.ok) {
        this.port.logger.log('warn', `sandbox GC: could not look for old sandboxes in ${agentDir}: ${outcome.error.message}`);
        return;
      }
      const now = this.port.now();
      let found = 0;
      for (const { dir, modifiedAt } of outcome.value) {
        if (this.inUse(dir)) continue;
        this.schedule.schedule(dir, Math.min(modifiedAt, now));
        found += 1;
      }
      if (found > 0) this.port.logger.log('info', `sandbox GC: scheduled ${found} directories left by an earlier run of the agent`);
      this.arm();
    });
  }

  private arm(): void {
    if (this.timer !== undefined || this.checking || this.schedule.size === 0) return;
    this.timer = this.port.delay(this.policy.diskWatchIntervalMs, () => {
      this.timer = undefined;
      this.check();
    });
  }

  /** Reads the disk usage, then removes what is old enough for it. */
  private check(): void {
    this.checking = true;
    this.port.whenSettled(this.diskUsage(this.workDir), (outcome) => {
      this.checking = false;
      let maxAgeMs = this.policy.delayMs;
      if (outcome.ok) maxAgeMs = maxSandboxAgeMs(this.policy, outcome.value);
      // As Mesos: without the disk usage, paths go after the plain delay.
      else this.port.logger.log('error', `sandbox GC: cannot read the disk usage of ${this.workDir}: ${outcome.error.message}`);
      for (const dir of this.schedule.takeDue(this.port.now(), maxAgeMs)) this.remove(dir);
      this.arm();
    });
  }

  /** True while a live run is in `dir`, or `dir` is a framework the agent still knows. */
  private inUse(dir: string): boolean {
    if (this.state.runs().some((run) => run.directory === dir || isWithin(run.directory, dir))) return true;
    const parts = path.relative(this.workDir, dir).split(path.sep);
    return parts.length === 4 && parts[2] === 'frameworks' && this.state.frameworkInfo(parts[3]!) !== undefined;
  }

  private remove(dir: string): void {
    if (this.inUse(dir)) return;
    let doomed = dir;
    const trash = this.trashOf(dir);
    if (trash !== undefined) {
      try {
        // In the agent's own directory: the same file system, so a rename, atomic and quick.
        mkdirSync(trash, { recursive: true });
        doomed = path.join(trash, `${this.port.now()}-${++this.trashed}-${path.basename(dir)}`);
        renameSync(dir, doomed);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
        doomed = dir;
      }
    }
    this.port.whenSettled(rm(doomed, { recursive: true, force: true }), (outcome) => {
      if (outcome.ok) {
        this.succeeded += 1;
        this.port.logger.log('info', `sandbox GC: removed ${dir}`);
      } else {
        this.failed += 1;
        this.port.logger.log('error', `sandbox GC: failed to remove ${dir}: ${outcome.error.message}`);
      }
    });
  }

  /** `<workDir>/agents/<id>/gc-trash` for a path in that agent's directory. */
  private trashOf(dir: string): string | undefined {
    const parts = path.relative(this.workDir, dir).split(path.sep);
    return parts.length > 2 && parts[0] === 'agents' ? path.join(this.workDir, 'agents', parts[1]!, TRASH) : undefined;
  }
}

/** `.../executors/<id>` of `.../executors/<id>/runs/<run>`. */
function executorDirectoryOf(runDirectory: string): string {
  return path.dirname(path.dirname(runDirectory));
}

/** The frameworks, executors and runs under `agentDir`, with their modification times. */
async function findLeftovers(agentDir: string): Promise<{ dir: string; modifiedAt: number }[]> {
  const found: { dir: string; modifiedAt: number }[] = [];
  const frameworks = path.join(agentDir, 'frameworks');
  for (const framework of await subdirectories(frameworks)) {
    const frameworkDir = path.join(frameworks, framework);
    found.push({ dir: frameworkDir, modifiedAt: await modifiedAt(frameworkDir) });
    const executors = path.join(frameworkDir, 'executors');
    for (const executor of await subdirectories(executors)) {
      const executorDir = path.join(executors, executor);
      found.push({ dir: executorDir, modifiedAt: await modifiedAt(executorDir) });
      const runs = path.join(executorDir, 'runs');
      for (const run of await subdirectories(runs)) found.push({ dir: path.join(runs, run), modifiedAt: await modifiedAt(path.join(runs, run)) });
    }
  }
  return found;
}

/** Names of the directories in `dir` (not symlinks such as `latest`); none when it does not exist. */
async function subdirectories(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

async function modifiedAt(dir: string): Promise<number> {
  return (await stat(dir)).mtimeMs;
}
