import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { processLauncher, type LaunchSpec, type TaskExit, type TaskLauncher } from '../src/task-launcher.js';

export { eventually, freePort } from '@tessera/test-harness';

/** Fresh sandbox directories, removed by `removeAll`. */
export class Sandboxes {
  private readonly dirs: string[] = [];

  async make(): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-executor-test-'));
    this.dirs.push(dir);
    return dir;
  }

  list(): string[] {
    return [...this.dirs];
  }

  async removeAll(): Promise<void> {
    await Promise.all(this.dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  }
}

/**
 * True while a process runs. A killed orphan stays a zombie here (pid 1 of this machine does not
 * reap), and `kill(pid, 0)` succeeds on a zombie, so its state in /proc decides.
 */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && procState(stat) !== 'Z';
}

/** The pids of the live (non-zombie) processes in a process group, from /proc. */
export async function groupMembers(pgid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (stat === '') continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(Number(entry));
  }
  return out;
}

function procState(stat: string): string {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!;
}

/** The real launcher, remembering every group it started so that an after hook can kill them all. */
export class RecordingLauncher implements TaskLauncher {
  readonly pids: number[] = [];
  readonly specs: LaunchSpec[] = [];

  launch(spec: LaunchSpec, onExit: (exit: TaskExit) => void, onStart?: () => void): number | undefined {
    this.specs.push(spec);
    const pid = processLauncher.launch(spec, onExit, onStart);
    if (pid !== undefined) this.pids.push(pid);
    return pid;
  }

  signalGroup(pgid: number, signal: 'SIGTERM' | 'SIGKILL'): void {
    processLauncher.signalGroup(pgid, signal);
  }

  /** SIGKILLs every group started: nothing a test starts may outlive it. */
  killAll(): void {
    for (const pid of this.pids.splice(0)) processLauncher.signalGroup(pid, 'SIGKILL');
  }
}

/** A launcher with no processes: records launches and signals; the test decides when tasks exit. */
export class FakeLauncher implements TaskLauncher {
  readonly launched: { spec: LaunchSpec; pid: number; onExit: (exit: TaskExit) => void }[] = [];
  readonly signals: { pgid: number; signal: string }[] = [];
  private nextPid = 1000;

  launch(spec: LaunchSpec, onExit: (exit: TaskExit) => void, onStart?: () => void): number | undefined {
    const pid = this.nextPid++;
    this.launched.push({ spec, pid, onExit });
    onStart?.();
    return pid;
  }

  signalGroup(pgid: number, signal: 'SIGTERM' | 'SIGKILL'): void {
    this.signals.push({ pgid, signal });
  }

  /** The task launched with MESOS_TASK_ID `taskId`. */
  task(taskId: string): { pid: number; exit: (exit: TaskExit) => void; spec: LaunchSpec } {
    const found = this.launched.find((l) => l.spec.env.MESOS_TASK_ID === taskId);
    if (found === undefined) throw new Error(`task ${taskId} was not launched`);
    return { pid: found.pid, exit: found.onExit, spec: found.spec };
  }

  signalsTo(pgid: number): string[] {
    return this.signals.filter((s) => s.pgid === pgid).map((s) => s.signal);
  }
}

/** Pids of the live processes whose working directory is `dir` (a sandbox's tasks), from /proc. */
export async function processesIn(dir: string): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => '');
    if (cwd === dir && (await isAlive(Number(entry)))) out.push(Number(entry));
  }
  return out;
}
