import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { CacheTable, type CacheEntry } from './cache-table.js';

/** A cached file in use by one fetch: its path, and `release` once copied or extracted. */
export interface CacheLease {
  readonly path: string;
  /** True when the file was there (or being downloaded by another fetch) already. */
  readonly hit: boolean;
  release(): Promise<void>;
}

/** What a cache has done, for tests and metrics (Mesos's containerizer/fetcher/cache_*). */
export interface CacheStats {
  hits: number;
  misses: number;
  entries: number;
  usedBytes: number;
  capacityBytes: number;
}

/**
 * The fetcher cache on disk: one file per URI in a size-bounded LRU (CacheTable), shared by the
 * fetches of all tasks. Concurrent fetches of one URI share one download. The directory is
 * emptied at first use, as Mesos's agent clears its cache when it starts.
 */
export class FetchCache {
  private readonly table: CacheTable;
  private readonly downloads = new Map<CacheEntry, Promise<void>>();
  private ready: Promise<void> | undefined;
  private hits = 0;
  private misses = 0;

  constructor(readonly directory: string, capacityBytes: number) {
    this.table = new CacheTable(capacityBytes);
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.table.count, usedBytes: this.table.used, capacityBytes: this.table.capacityBytes };
  }

  /**
   * The cached file of `key`, downloaded with `fill` (which writes the file and returns its size)
   * when it is not there. `name` is the fetched file's name, whose ending the cache file keeps.
   * @throws what `fill` throws; a failed download leaves nothing in the cache.
   */
  async lease(key: string, name: string, fill: (file: string) => Promise<number>): Promise<CacheLease> {
    await (this.ready ??= this.clear());
    for (;;) {
      const known = this.table.get(key);
      if (known === undefined) break;
      known.references += 1;
      const pending = this.downloads.get(known);
      try {
        await pending;
      } catch {
        // Another fetch's download failed (or was aborted with its task): try it here.
        known.references -= 1;
        this.table.remove(known);
        continue;
      }
      this.hits += 1;
      return this.leaseOf(known, true);
    }
    const entry = this.table.create(key, name);
    entry.references = 1;
    const file = this.pathOf(entry);
    const download = this.download(entry, file, fill);
    this.downloads.set(entry, download);
    try {
      await download;
    } catch (e) {
      entry.references -= 1;
      this.table.remove(entry);
      await rm(file, { force: true });
      throw e;
    } finally {
      this.downloads.delete(entry);
    }
    this.misses += 1;
    return this.leaseOf(entry, false);
  }

  private async download(entry: CacheEntry, file: string, fill: (file: string) => Promise<number>): Promise<void> {
    const size = await fill(file);
    const admission = this.table.admit(entry, size);
    // A file too big to keep still serves the fetches waiting for it; the last one deletes it.
    if (admission.ok) await Promise.all(admission.victims.map((victim) => rm(this.pathOf(victim), { force: true })));
  }

  private leaseOf(entry: CacheEntry, hit: boolean): CacheLease {
    let released = false;
    return {
      path: this.pathOf(entry),
      hit,
      release: async () => {
        if (released) return;
        released = true;
        entry.references -= 1;
        if (!entry.admitted && entry.references === 0) await rm(this.pathOf(entry), { force: true });
      },
    };
  }

  private pathOf(entry: CacheEntry): string {
    return path.join(this.directory, entry.filename);
  }

  private async clear(): Promise<void> {
    await rm(this.directory, { recursive: true, force: true });
    await mkdir(this.directory, { recursive: true });
  }
}
