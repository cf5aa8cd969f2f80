import type { ExecutorRun, Launch } from '../agent-state.js';

/**
 * Puts what a new executor run needs into its sandbox before the executor starts (Mesos's
 * fetcher): the executor's command URIs and those of the tasks of its first launch.
 */
export interface SandboxFetcher {
  /**
   * The fetch into `run.directory`, or undefined when there is nothing to fetch, so that a launch
   * without URIs goes on at once (no turn of the event loop on the hot path). Rejects with an
   * error whose message names the URI that failed. `signal` aborts it (the run ended meanwhile).
   */
  fetch(run: ExecutorRun, launch: Launch, signal: AbortSignal): Promise<void> | undefined;
}
