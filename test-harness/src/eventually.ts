/**
 * Polls `check` until it returns true or the deadline passes, then fails naming `what`.
 * For conditions with no event to wait on; never a fixed sleep.
 */
export async function eventually(what: string, check: () => boolean, timeoutMs = 10_000, intervalMs = 10): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
