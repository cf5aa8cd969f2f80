/** The result of one health check: passed or not, and a line that says what was seen. */
export interface CheckOutcome {
  healthy: boolean;
  message: string;
}

/**
 * Runs one check. The signal aborts it at its timeout (or when checking stops): the runner must
 * then release what it holds (kill the command's process group, close the socket); its promise
 * may still settle, and its outcome is ignored. A runner never rejects for an unhealthy task:
 * refusals, resets and bad statuses are unhealthy outcomes.
 */
export type CheckRun = (signal: AbortSignal) => Promise<CheckOutcome>;
