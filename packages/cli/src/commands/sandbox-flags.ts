import { Option, type Command } from 'commander';
import {
  DEFAULT_DISK_WATCH_INTERVAL_MS, DEFAULT_FETCHER_CACHE_SIZE_BYTES, DEFAULT_FETCHER_MAX_DOWNLOAD_BYTES, DEFAULT_GC_DELAY_MS, DEFAULT_GC_DISK_HEADROOM, type AgentOptions,
} from '@tessera/agent';
import { byteSize, duration, fraction } from '../flags.js';

/** The fetcher's and the sandbox garbage collector's flags, as commander gives them. */
export interface SandboxFlags {
  fetcherCacheDir?: string;
  fetcherCacheSize: number;
  fetcherMaxDownloadSize: number;
  gcDelay: number;
  gcDiskHeadroom: number;
  diskWatchInterval: number;
}

/** Adds the fetcher and sandbox GC flags (Mesos's names and defaults) to an agent-running command. */
export function withSandboxFlags(command: Command): Command {
  return command
    .option('--fetcher-cache-dir <dir>', 'where fetched URIs with cache set are kept (default: <work-dir>/fetch-cache)')
    .addOption(new Option('--fetcher-cache-size <size>', 'bytes the fetcher cache may hold, e.g. 512MB (Mesos --fetcher_cache_size)').argParser(byteSize).default(DEFAULT_FETCHER_CACHE_SIZE_BYTES, '2GB'))
    .addOption(new Option('--fetcher-max-download-size <size>', 'a fetched file bigger than this fails its task').argParser(byteSize).default(DEFAULT_FETCHER_MAX_DOWNLOAD_BYTES, '2GB'))
    .addOption(new Option('--gc-delay <duration>', 'how long a finished sandbox is kept, scaled down as the disk fills, e.g. 6hrs (Mesos --gc_delay)').argParser(duration).default(DEFAULT_GC_DELAY_MS, '1weeks'))
    .addOption(new Option('--gc-disk-headroom <fraction>', 'sandboxes are kept gc-delay x max(0, 1 - headroom - disk usage) (Mesos --gc_disk_headroom)').argParser(fraction).default(DEFAULT_GC_DISK_HEADROOM))
    .addOption(new Option('--disk-watch-interval <duration>', 'how often the disk usage is read and old sandboxes removed (Mesos --disk_watch_interval)').argParser(duration).default(DEFAULT_DISK_WATCH_INTERVAL_MS, '1mins'));
}

/** The agent options of those flags. */
export function sandboxAgentOptions(flags: SandboxFlags): Partial<AgentOptions> {
  return {
    ...(flags.fetcherCacheDir === undefined ? {} : { fetcherCacheDir: flags.fetcherCacheDir }),
    fetcherCacheSizeBytes: flags.fetcherCacheSize,
    fetcherMaxDownloadBytes: flags.fetcherMaxDownloadSize,
    gcDelayMs: flags.gcDelay,
    gcDiskHeadroom: flags.gcDiskHeadroom,
    diskWatchIntervalMs: flags.diskWatchInterval,
  };
}
