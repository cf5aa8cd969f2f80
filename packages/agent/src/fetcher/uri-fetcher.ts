import { chmod, copyFile, mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { download, type DownloadLimits } from './download.js';
import { archiveKind, extractArchive, type ExtractOutput } from './extract.js';
import { FetchCache, type CacheStats } from './fetch-cache.js';
import { FetchError, cacheKey, outputName, sandboxTarget, uriSource } from './fetch-uri.js';
import { launchUris, type FetchItem } from './launch-uris.js';
import type { FetchRequest, SandboxFetcher } from './types.js';

/** Mesos's `--fetcher_cache_size`: 2 GB. */
export const DEFAULT_FETCHER_CACHE_SIZE_BYTES = 2 * 1024 ** 3;
/** The largest file fetched when the agent is not told otherwise (Mesos has no cap). */
export const DEFAULT_FETCHER_MAX_DOWNLOAD_BYTES = 2 * 1024 ** 3;

/** How the agent's fetcher is set up. */
export interface UriFetcherOptions {
  /** Root of the caches; each agent id caches under `<cacheDir>/agents/<id>`. */
  cacheDir: string;
  /** Bytes the cache may hold (default 2 GB); a file that does not fit is fetched and not kept. */
  cacheSizeBytes?: number;
  /** A bigger file fails its fetch (default 2 GB). */
  maxDownloadBytes?: number;
}

/** What the fetcher has done (Mesos's containerizer/fetcher/* metrics, plus cache hits). */
export interface FetcherStats extends CacheStats {
  fetchesSucceeded: number;
  fetchesFailed: number;
}

/** Writes the fetcher's lines to the sandbox's stderr, where Mesos's fetcher logs go. */
interface SandboxLog extends ExtractOutput {
  line(text: string): Promise<void>;
}

/**
 * The agent's fetcher: puts each URI of a new run into its sandbox (copied, downloaded, or taken
 * from the cache), makes it executable or extracts it, one URI after another, all with async
 * I/O off the agent's mailbox. Progress and failures go to the sandbox's stderr; extraction
 * programs write to its stdout and stderr.
 */
export class UriFetcher implements SandboxFetcher {
  private readonly caches = new Map<string, FetchCache>();
  private readonly cacheSizeBytes: number;
  private readonly maxDownloadBytes: number;
  private succeeded = 0;
  private failed = 0;

  /** @throws on a negative or fractional size. */
  constructor(private readonly options: UriFetcherOptions) {
    this.cacheSizeBytes = options.cacheSizeBytes ?? DEFAULT_FETCHER_CACHE_SIZE_BYTES;
    this.maxDownloadBytes = options.maxDownloadBytes ?? DEFAULT_FETCHER_MAX_DOWNLOAD_BYTES;
    if (!Number.isSafeInteger(this.cacheSizeBytes) || this.cacheSizeBytes < 0) throw new Error(`the fetcher cache size must be a whole number of bytes >= 0, got ${this.cacheSizeBytes}`);
    if (!Number.isSafeInteger(this.maxDownloadBytes) || this.maxDownloadBytes <= 0) throw new Error(`the fetcher's size cap must be a whole number of bytes > 0, got ${this.maxDownloadBytes}`);
  }

  fetch(request: FetchRequest, signal: AbortSignal): Promise<void> | undefined {
    const items = launchUris(request.run.info, request.launch);
    if (items.length === 0) return undefined;
    return this.fetchAll(request, items, signal).then(
      () => { this.succeeded += 1; },
      (e: Error) => { this.failed += 1; throw e; },
    );
  }

  /** Summed over the caches of every agent id this fetcher has served. */
  stats(): FetcherStats {
    const total: FetcherStats = { hits: 0, misses: 0, entries: 0, usedBytes: 0, capacityBytes: this.cacheSizeBytes, fetchesSucceeded: this.succeeded, fetchesFailed: this.failed };
    for (const cache of this.caches.values()) {
      const s = cache.stats();
      total.hits += s.hits;
      total.misses += s.misses;
      total.entries += s.entries;
      total.usedBytes += s.usedBytes;
    }
    return total;
  }

  private async fetchAll(request: FetchRequest, items: FetchItem[], signal: AbortSignal): Promise<void> {
    const directory = request.run.directory;
    let log: Awaited<ReturnType<typeof openSandboxLog>>;
    try {
      log = await openSandboxLog(directory);
    } catch (e) {
      throw new FetchError(`Failed to fetch URIs for container '${request.run.runId}': cannot write the sandbox's stdout and stderr: ${(e as Error).message}`);
    }
    try {
      for (const item of items) {
        signal.throwIfAborted();
        const value = item.uri.value;
        await log.line(`Fetching URI '${value}'`);
        let result: string;
        try {
          result = await this.fetchOne(item, request.agentId, directory, log, signal);
        } catch (e) {
          const reason = (e as Error).name === 'AbortError' ? 'aborted' : (e as Error).message;
          await log.line(`Failed to fetch '${value}': ${reason}`);
          throw new FetchError(`Failed to fetch URI '${value}' for container '${request.run.runId}': ${reason}`);
        }
        await log.line(`Fetched '${value}' to '${result}'`);
      }
      await log.line(`Successfully fetched all URIs into '${directory}'`);
    } finally {
      await log.close();
    }
  }

  /** Fetches one URI; returns the file it made (or the sandbox, when it extracted). */
  private async fetchOne(item: FetchItem, agentId: string, directory: string, log: SandboxLog, signal: AbortSignal): Promise<string> {
    const { uri } = item;
    const source = uriSource(uri.value);
    const name = outputName(uri, source);
    const target = sandboxTarget(directory, name);
    await mkdir(path.dirname(target), { recursive: true });
    const limits: DownloadLimits = { maxBytes: this.maxDownloadBytes, signal };
    // As Mesos: `executable` wins over `extract`, which is on unless turned off.
    const archive = uri.executable === true || uri.extract === false ? undefined : archiveKind(name);
    if (uri.extract !== false && uri.executable !== true && archive === undefined) {
      await log.line(`'${name}' is not named as an archive: copied, not extracted`);
    }
    if (uri.cache === true) {
      const lease = await this.cacheFor(agentId).lease(cacheKey(uri, item.user), name, (file) => download(source, file, limits));
      try {
        await log.line(lease.hit ? 'Fetching from the cache' : 'Downloaded into the cache');
        if (archive !== undefined) {
          await extractArchive(lease.path, name, archive, directory, log, signal);
          await log.line(`Extracted '${name}' into '${directory}'`);
          return directory;
        }
        await copyFile(lease.path, target);
      } finally {
        await lease.release();
      }
    } else {
      await log.line('Fetching directly into the sandbox directory');
      await download(source, target, limits);
      if (archive !== undefined) {
        await extractArchive(target, name, archive, directory, log, signal);
        await log.line(`Extracted '${target}' into '${directory}'`);
        return directory;
      }
    }
    if (uri.executable === true) await chmod(target, 0o755);
    return target;
  }

  private cacheFor(agentId: string): FetchCache {
    let cache = this.caches.get(agentId);
    if (cache === undefined) {
      cache = new FetchCache(path.join(this.options.cacheDir, 'agents', agentId), this.cacheSizeBytes);
      this.caches.set(agentId, cache);
    }
    return cache;
  }
}

async function openSandboxLog(directory: string): Promise<SandboxLog & { close(): Promise<void> }> {
  const stdout: FileHandle = await open(path.join(directory, 'stdout'), 'a');
  let stderr: FileHandle;
  try {
    stderr = await open(path.join(directory, 'stderr'), 'a');
  } catch (e) {
    await stdout.close();
    throw e;
  }
  return {
    stdout: stdout.fd,
    stderr: stderr.fd,
    line: async (text) => { await stderr.write(`fetcher: ${text}\n`); },
    close: async () => { await Promise.all([stdout.close(), stderr.close()]); },
  };
}
