import { pollUntil } from './wait.js';

/**
 * Polls `check` until it returns true or the deadline passes, then fails naming `what`.
 * For conditions with no event to wait on; never a fixed sleep.
 */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000, intervalMs = 10): Promise<void> {
  await pollUntil(what, async () => ((await check()) ? { ready: true, value: undefined } : { ready: false, why: 'not yet' }), { timeoutMs, intervalMs });
}
