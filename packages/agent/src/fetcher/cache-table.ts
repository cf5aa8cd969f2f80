/** One file of the fetcher cache. */
export interface CacheEntry {
  readonly key: string;
  /** The file's name in the cache directory: unique, and ends like the URI (for extraction). */
  readonly filename: string;
  /** Bytes counted against the cache's size; 0 until the download is done and admitted. */
  size: number;
  /** Fetches using the file now: it is not evicted while they copy or extract from it. */
  references: number;
  /** False while downloading, and for a file too big to keep (deleted once unreferenced). */
  admitted: boolean;
}

/** What admitting a downloaded file decided: the entries to evict for it, or that it does not fit. */
export type Admission = { ok: true; victims: CacheEntry[] } | { ok: false; why: string };

/**
 * The fetcher cache's bookkeeping, without I/O (Mesos's FetcherProcess::Cache): entries by key
 * in least-recently-used order, the bytes they hold against a capacity, and which to evict so
 * that a new file fits. Entries in use are never chosen.
 */
export class CacheTable {
  /** Map order is use order: the first entry is the least recently used. */
  private readonly entries = new Map<string, CacheEntry>();
  private serial = 0;
  private usedBytes = 0;

  constructor(readonly capacityBytes: number) {
    if (!Number.isSafeInteger(capacityBytes) || capacityBytes < 0) throw new Error(`the fetcher cache size must be a whole number of bytes >= 0, got ${capacityBytes}`);
  }

  get used(): number {
    return this.usedBytes;
  }

  get count(): number {
    return this.entries.size;
  }

  /** The entry of `key`, made the most recently used. */
  get(key: string): CacheEntry | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  /** A new entry (not yet admitted) for `key`, whose file will be named after `name`. */
  create(key: string, name: string): CacheEntry {
    if (this.entries.has(key)) throw new Error(`the cache already holds '${key}'`);
    // As Mesos: a serial keeps names apart, a bit of the name helps an operator, the suffix extraction.
    const short = name.length > 20 ? `${name.slice(0, 10)}_${name.slice(-10)}` : name;
    const entry: CacheEntry = { key, filename: `c${++this.serial}-${short}`, size: 0, references: 0, admitted: false };
    this.entries.set(key, entry);
    return entry;
  }

  /**
   * Counts a downloaded file of `size` bytes in, choosing least recently used unreferenced
   * entries to evict until it fits. The caller removes the victims (already forgotten here).
   * When it cannot fit, nothing is evicted and the entry is forgotten: it serves its fetch and goes.
   */
  admit(entry: CacheEntry, size: number): Admission {
    const victims: CacheEntry[] = [];
    let free = this.capacityBytes - this.usedBytes;
    for (const candidate of this.entries.values()) {
      if (free >= size) break;
      if (candidate === entry || candidate.references > 0 || !candidate.admitted) continue;
      victims.push(candidate);
      free += candidate.size;
    }
    if (free < size) {
      this.remove(entry);
      return { ok: false, why: `${size} bytes do not fit in the cache (${this.capacityBytes} bytes, ${this.capacityBytes - this.usedBytes} free, the rest in use)` };
    }
    for (const victim of victims) this.remove(victim);
    entry.size = size;
    entry.admitted = true;
    this.usedBytes += size;
    return { ok: true, victims };
  }

  /** Forgets an entry (a failed download, an eviction); its bytes no longer count. */
  remove(entry: CacheEntry): void {
    if (this.entries.get(entry.key) !== entry) return;
    this.entries.delete(entry.key);
    if (entry.admitted) this.usedBytes -= entry.size;
    entry.admitted = false;
  }
}
