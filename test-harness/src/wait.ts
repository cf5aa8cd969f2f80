/**
 * Deadline-bound waiting. The harness drives real processes, so it waits on the real clock and not
 * on the runtime's injected Clock; this file is the only place it reads the clock or sleeps (the demo's child nodes aside). Every
 * wait has a deadline and names what it waited for, so a hung test says why.
 */
import { setTimeout as delay } from 'node:timers/promises';

/** What one probe saw: ready with a value, or not yet with a reason kept for the timeout message. */
export type ProbeResult<T> = { ready: true; value: T } | { ready: false; why: string };

/** Options of {@link pollUntil}. */
export interface PollOptions {
  timeoutMs: number;
  /** Pause between probes; short, since nats-server is ready within tens of milliseconds. */
  intervalMs?: number;
  /** Aborting ends the wait early (a stop() interrupting a start). */
  signal?: AbortSignal;
}

/** A wait ran past its deadline. */
export class WaitTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WaitTimeoutError';
  }
}

/** The message of anything thrown, for error texts. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Run `probe` until it reports ready, at most `timeoutMs`; a probe that throws counts as not ready.
 * Rejects with a {@link WaitTimeoutError} naming `what` and the last reason.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<ProbeResult<T>>,
  options: PollOptions,
): Promise<T> {
  const started = performance.now();
  const intervalMs = options.intervalMs ?? 20;
  let why = 'never probed';
  for (;;) {
    options.signal?.throwIfAborted();
    const result = await probe().catch((err: unknown): ProbeResult<T> => ({ ready: false, why: errorText(err) }));
    if (result.ready) return result.value;
    why = result.why;
    const left = options.timeoutMs - (performance.now() - started);
    if (left <= 0) {
      throw new WaitTimeoutError(`timed out after ${options.timeoutMs} ms waiting for ${what} (last: ${why})`);
    }
    await delay(Math.min(intervalMs, left), undefined, { signal: options.signal });
  }
}

/**
 * Settle with `work`, or reject with a {@link WaitTimeoutError} after `timeoutMs`. The timer is
 * ref'd on purpose: it keeps the event loop alive while we wait on an unref'd child process.
 */
export async function withDeadline<T>(what: string, work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** True when `work` resolves within `timeoutMs`, false when the deadline passes first. */
export async function resolvesWithin(work: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  try {
    await withDeadline('settle', work, timeoutMs);
    return true;
  } catch (err) {
    if (err instanceof WaitTimeoutError) return false;
    throw err;
  }
}
