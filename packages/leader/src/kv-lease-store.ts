import { parseBody, type LeaderRecord } from '@tessera/protocol';
import type { KV, KvEntry } from '@nats-io/kv';
import { SystemClock, type Clock } from '@tessera/process';
import { LeaseConflictError, type LeaseStore, type StoredLease } from './lease-store.js';

/** JetStream's "wrong last sequence": the compare-and-set lost. */
const WRONG_LAST_SEQUENCE = 10071;
const KEY = 'leader';
/** How long a failed or ended watch waits before it is opened again. */
const WATCH_RETRY_MS = 500;

/**
 * The lease as one key of a JetStream KV bucket (replicated over the NATS cluster): create-if-
 * absent and update-with-revision are the compare-and-set. nats-server 2.9 has no per-key TTL,
 * so expiry is the contenders' business (see LeaderElector).
 */
export class KvLeaseStore implements LeaseStore {
  constructor(
    private readonly kv: KV,
    private readonly onInvalid: (error: string) => void = () => undefined,
    private readonly clock: Clock = new SystemClock(),
  ) {}

  async read(): Promise<StoredLease | undefined> {
    return this.decode(await this.kv.get(KEY));
  }

  async write(record: LeaderRecord, revision: number | undefined): Promise<number> {
    const data = new TextEncoder().encode(JSON.stringify(record));
    try {
      return revision === undefined ? await this.kv.create(KEY, data) : await this.kv.update(KEY, data, revision);
    } catch (err) {
      if (isConflict(err)) throw new LeaseConflictError(`the lease moved past revision ${revision ?? 'none'}`);
      throw err;
    }
  }

  watch(fn: (lease: StoredLease | undefined) => void): () => void {
    let stopped = false;
    let stop: (() => void) | undefined;
    const once = async (): Promise<void> => {
      // A watch yields nothing up front for a missing key: read first, so that "no lease" is
      // said at once; a write between the read and the watch comes as the watch's first value.
      if ((await this.kv.get(KEY)) === null && !stopped) fn(undefined);
      const iterator = await this.kv.watch({ key: KEY });
      stop = () => iterator.stop();
      if (stopped) return iterator.stop();
      for await (const entry of iterator) {
        if (stopped) break;
        fn(this.decode(entry));
      }
    };
    // A watch that fails or ends (a JetStream timeout while the cluster elects its stream
    // leader, a reconnect) is opened again: a contender that stops hearing the lease never leads.
    void (async () => {
      while (!stopped) {
        await once().catch((err: Error) => this.onInvalid(`the lease watch failed: ${err.message}; watching again`));
        if (!stopped) await new Promise<void>((resolve) => this.clock.setTimer(WATCH_RETRY_MS, resolve));
      }
    })();
    return () => {
      stopped = true;
      stop?.();
    };
  }

  private decode(entry: KvEntry | null): StoredLease | undefined {
    if (entry === null || entry.operation !== 'PUT') return undefined;
    const checked = parseBody('master.LeaderRecord', new TextDecoder().decode(entry.value));
    if (!checked.ok) {
      this.onInvalid(`the lease at revision ${entry.revision} ${checked.error}`);
      return undefined;
    }
    return { record: checked.value, revision: entry.revision };
  }
}

function isConflict(err: unknown): boolean {
  const e = err as { code?: unknown; api_error?: { err_code?: number }; message?: string };
  return e?.api_error?.err_code === WRONG_LAST_SEQUENCE
    || (e as { apiError?: () => { err_code?: number } })?.apiError?.()?.err_code === WRONG_LAST_SEQUENCE
    || /wrong last sequence|key exists/i.test(e?.message ?? '');
}
