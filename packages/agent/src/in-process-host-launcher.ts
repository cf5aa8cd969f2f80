import type { Process, Runtime, UPID } from '@tessera/process';
import type { ExecutorHostLauncher } from './types.js';

/** Builds an executor host actor; it calls `onIdle` when it has run nothing for a while. */
export type ExecutorHostFactory = (context: { onIdle: () => void }) => Process;

/** How long `shutdown` lets a host stop its executors before terminating it outright. */
const SHUTDOWN_WAIT_MS = 10_000;

/**
 * Runs the executor host as an actor in the agent's own runtime: `tessera local` without NATS,
 * and tests. The host actor has one fixed name (`executor-host`), so one host serves every
 * framework here; a per-framework split buys nothing inside one OS process. An idle host is
 * terminated, and the next `hostFor` spawns a fresh one.
 */
export class InProcessHostLauncher implements ExecutorHostLauncher {
  private host: UPID | undefined;
  /** The host being retired: a new one can take its name only once it is gone. */
  private retiring: Promise<void> | undefined;

  constructor(private readonly runtime: Runtime, private readonly createHost: ExecutorHostFactory) {}

  async hostFor(_frameworkId?: string): Promise<UPID> {
    if (this.host !== undefined) return this.host;
    if (this.retiring !== undefined) await this.retiring;
    if (this.host !== undefined) return this.host;
    let pid: UPID | undefined;
    const host = this.createHost({ onIdle: () => { if (pid !== undefined) this.retire(pid); } });
    pid = this.runtime.spawn(host).pid;
    this.host = pid;
    void this.runtime.wait(pid).then(() => { if (this.host === pid) this.host = undefined; });
    return pid;
  }

  forget(_frameworkId: string, pid: UPID): void {
    if (this.host === pid) this.retire(pid);
  }

  async shutdown(): Promise<void> {
    const pid = this.host;
    if (pid === undefined) {
      await this.retiring;
      return;
    }
    // The host's own SHUTDOWN stops its executors with their grace period; a host that does not
    // finish in time is terminated all the same.
    this.runtime.post(pid, 'executor.Event', { type: 'SHUTDOWN' });
    const timer = this.runtime.clock.setTimer(SHUTDOWN_WAIT_MS, () => this.runtime.terminate(pid));
    await this.runtime.wait(pid);
    timer.cancel();
    if (this.host === pid) this.host = undefined;
  }

  private retire(pid: UPID): void {
    if (this.host === pid) this.host = undefined;
    const done = this.runtime.wait(pid);
    this.retiring = done;
    void done.then(() => { if (this.retiring === done) this.retiring = undefined; });
    this.runtime.terminate(pid);
  }
}
