/** Mesos's `--gc_delay`: 1 week. */
export const DEFAULT_GC_DELAY_MS = 7 * 24 * 3_600_000;
/** Mesos's `--gc_disk_headroom`: 0.1. */
export const DEFAULT_GC_DISK_HEADROOM = 0.1;
/** Mesos's `--disk_watch_interval`: how often disk usage is checked and due sandboxes removed, 1 min. */
export const DEFAULT_DISK_WATCH_INTERVAL_MS = 60_000;

/** The garbage collector's settings, checked. */
export interface GcPolicy {
  delayMs: number;
  diskHeadroom: number;
  diskWatchIntervalMs: number;
}

/**
 * Fills in and checks the settings.
 * @throws on a delay or interval that is not a positive number of ms, or a headroom outside [0, 1].
 */
export function gcPolicy(options: { gcDelayMs?: number | undefined; gcDiskHeadroom?: number | undefined; diskWatchIntervalMs?: number | undefined }): GcPolicy {
  const delayMs = options.gcDelayMs ?? DEFAULT_GC_DELAY_MS;
  const diskHeadroom = options.gcDiskHeadroom ?? DEFAULT_GC_DISK_HEADROOM;
  const diskWatchIntervalMs = options.diskWatchIntervalMs ?? DEFAULT_DISK_WATCH_INTERVAL_MS;
  if (!Number.isFinite(delayMs) || delayMs <= 0) throw new Error(`gcDelayMs must be a positive number of ms, got ${delayMs}`);
  if (!Number.isFinite(diskHeadroom) || diskHeadroom < 0 || diskHeadroom > 1) throw new Error(`gcDiskHeadroom must be a fraction from 0 to 1, got ${diskHeadroom}`);
  if (!Number.isFinite(diskWatchIntervalMs) || diskWatchIntervalMs <= 0) throw new Error(`diskWatchIntervalMs must be a positive number of ms, got ${diskWatchIntervalMs}`);
  return { delayMs, diskHeadroom, diskWatchIntervalMs };
}

/**
 * How old a finished sandbox may get before it is removed, given the fraction of the disk in use
 * (Mesos's Slave::age): the delay shrinks as the disk fills, to nothing once the usage reaches
 * 1 - headroom. With the defaults and an empty disk, 0.9 week.
 */
export function maxSandboxAgeMs(policy: GcPolicy, diskUsage: number): number {
  return policy.delayMs * Math.max(0, 1 - policy.diskHeadroom - diskUsage);
}
