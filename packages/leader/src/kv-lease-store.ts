import { parseBody, type LeaderRecord } from '@tessera/protocol';
import type { KV, KvEntry } from '@nats-io/kv';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { SystemClock, type Clock } from '@tessera/process';
import { LeaseConflictError, type LeaseStore, type StoredLease } from './lease-store.js';

/** JetStream's "wrong last sequence": the compare-and-set lost. */
const WRONG_LAST_SEQUENCE = 10071;
const KEY = 'leader';
/** How long a failed or ended watch waits before it is opened again. */
const WATCH_RETRY_MS = 500;

/** What a contender writes the lease with: the bucket's stream, through JetStream. */
export interface LeaseWriter {
  js: JetStreamClient;
  jsm: JetStreamManager;
  bucket: string;
}

export interface KvLeaseStoreOptions {
  /** Told of a lease that does not read back, and of a watch that failed. */
  onInvalid?: (error: string) => void;
  clock?: Clock;
  /** Without one the store only reads (detectors). */
  writer?: LeaseWriter;
}

/**
 * The lease as the one key of a JetStream KV bucket (replicated over the NATS cluster). A write
 * is a compare-and-set on the stream's last sequence, not on the key's revision as KV's
 * update does: on nats-server 2.9.10 two concurrent updates at the same revision of a replicated
 * bucket both succeeded in 217 of 300 tries (two leaders of one epoch), while the stream-wide
 * expectation let exactly one through in 300 of 300. The bucket holds only this key, so the two
 * numbers are the same. nats-server 2.9 has no per-key TTL, so expiry is the contenders'
 * business (see LeaderElector). Without a writer the store only reads (detectors).
 */
export class KvLeaseStore implements LeaseStore {
  private readonly onInvalid: (error: string) => void;
  private readonly clock: Clock;

  constructor(private readonly kv: KV, private readonly options: KvLeaseStoreOptions = {}) {
    this.onInvalid = options.onInvalid ?? (() => undefined);
    this.clock = options.clock ?? new SystemClock();
  }

  async read(): Promise<StoredLease | undefined> {
    return this.decode(await this.kv.get(KEY));
  }

  async write(record: LeaderRecord, revision: number | undefined): Promise<number> {
    const writer = this.options.writer;
    if (writer === undefined) throw new Error('this lease store only reads (it was opened without a writer)');
    const data = new TextEncoder().encode(JSON.stringify(record));
    try {
      const after = revision ?? await this.absentAt(writer);
      return (await writer.js.publish(`$KV.${writer.bucket}.${KEY}`, data, { expect: { lastSequence: after } })).seq;
    } catch (err) {
      if (isConflict(err)) throw new LeaseConflictError(`the lease moved past revision ${revision ?? 'none'}`);
      throw err;
    }
  }

  /**
   * The stream's last sequence while no lease is held (none yet, or deleted); a conflict if one
   * is. The sequence is read first and the message at it from the stream's leader (a direct get
   * may answer from a lagging replica): any write after this read fails the compare-and-set.
   */
  private async absentAt(writer: LeaseWriter): Promise<number> {
    const last = (await this.kv.status()).streamInfo.state.last_seq;
    if (last === 0) return 0;
    const message = await writer.jsm.streams.getMessage(`KV_${writer.bucket}`, { seq: last });
    const operation = message?.header?.get('KV-Operation');
    if (operation !== 'DEL' && operation !== 'PURGE') throw new LeaseConflictError(`a lease is held (revision ${last})`);
    return last;
  }

  /** Refuses a bucket holding anything but the lease: every compare-and-set would fail on it. */
  async checkOnlyTheLease(): Promise<void> {
    const { values } = await this.kv.status();
    if (values > 1) throw new Error(`the lease bucket holds ${values} entries: it must hold only '${KEY}' (the lease's compare-and-set is on the bucket's last sequence)`);
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
