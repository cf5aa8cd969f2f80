import type { ExecutorRun, Launch } from '../agent-state.js';

/** One new executor run to fetch for. */
export interface FetchRequest {
  run: ExecutorRun;
  /** Its first launch: the tasks whose command URIs are fetched with the executor's. */
  launch: Launch;
  /** The agent's id: the fetcher cache is per agent, as Mesos's `<fetcher_cache_dir>/slaves/<id>`. */
  agentId: string;
}

/**
 * Puts what a new executor run needs into its sandbox before the executor starts (Mesos's
 * fetcher): the executor's command URIs and those of the tasks of its first launch.
 */
export interface SandboxFetcher {
  /**
   * The fetch into `request.run.directory`, or undefined when there is nothing to fetch, so that
   * a launch without URIs goes on at once (no turn of the event loop on the hot path). Rejects
   * with an error whose message names the URI that failed. `signal` aborts it (the run ended).
   */
  fetch(request: FetchRequest, signal: AbortSignal): Promise<void> | undefined;
}
