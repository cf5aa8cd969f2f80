import { Resources } from '@tessera/protocol';
import type { Logger } from '@tessera/process';
import type { Pause } from './cgroups.js';
import { duMeasure, type DiskMeasure } from './du.js';
import type { ContainerSpec, ContainerUsage, Isolator, IsolatorContext, LaunchPlan, Limitation } from './isolator.js';
import { PeriodicWatch } from './periodic-watch.js';

/** Mesos's `--container_disk_watch_interval`: 15 s. */
export const DEFAULT_CONTAINER_DISK_WATCH_INTERVAL_MS = 15_000;
const MB = 1024 * 1024;

/** The container's disk quota in bytes: its `disk` resource (MB); 0 when it has none. */
export function diskLimitBytes(spec: ContainerSpec): number {
  return Math.floor(Resources.of(spec.resources).scalar('disk') * MB);
}

/** What the isolator needs besides the agent's context. */
export interface DiskDuOptions {
  /** Mesos's `--enforce_container_disk_quota`: a container over its quota is a limitation. */
  enforce: boolean;
  intervalMs: number;
  pause: Pause;
  logger: Logger;
  /** Default: `du -k -s`. */
  measure?: DiskMeasure;
}

interface Watched {
  directory: string;
  limitBytes: number;
  usedBytes?: number;
  /** Aborts the measure under way, when the container goes first. */
  measuring?: AbortController;
}

/**
 * disk/du: measures each container's sandbox with `du` every watch interval, one `du` at a time
 * (a walk of many sandboxes at once would compete with the tasks for the disk), and reports the
 * last figure as disk_used_bytes. With enforcement on, a container found over its `disk`
 * resource is a limitation (REASON_CONTAINER_LIMITATION_DISK): the agent's limitation poll
 * destroys it. Between two measures a task may write past its quota: this is an accounting
 * limit, not a file system quota.
 */
export class DiskDuIsolator implements Isolator {
  readonly name = 'disk/du';
  private readonly containers = new Map<string, Watched>();
  private readonly watch: PeriodicWatch;
  private readonly measure: DiskMeasure;
  private failures = 0;

  constructor(private readonly options: DiskDuOptions) {
    this.measure = options.measure ?? duMeasure;
    this.watch = new PeriodicWatch('disk/du', options.intervalMs, options.pause, options.logger, () => this.measureAll(), () => this.containers.size > 0);
  }

  /** Measuring rounds completed. */
  get rounds(): number {
    return this.watch.completed;
  }

  prepare(spec: ContainerSpec): LaunchPlan {
    this.track(spec);
    return {};
  }

  update(spec: ContainerSpec): void {
    this.track(spec);
  }

  usage(spec: ContainerSpec): ContainerUsage {
    const watched = this.track(spec);
    const usage: ContainerUsage = {};
    // As Mesos: a limit only where the container was given disk.
    if (watched.limitBytes > 0) usage.disk_limit_bytes = watched.limitBytes;
    if (watched.usedBytes !== undefined) usage.disk_used_bytes = watched.usedBytes;
    return usage;
  }

  limitation(spec: ContainerSpec): Limitation | undefined {
    const watched = this.track(spec);
    if (!this.options.enforce || !overQuota(watched)) return undefined;
    return {
      reason: 'REASON_CONTAINER_LIMITATION_DISK',
      message: `Disk usage (${megabytes(watched.usedBytes!)}) exceeds quota (${megabytes(watched.limitBytes)}): the sandbox ${watched.directory} holds more than its disk resource`,
    };
  }

  cleanup(spec: ContainerSpec): void {
    this.containers.get(spec.containerId)?.measuring?.abort();
    this.containers.delete(spec.containerId);
  }

  close(): void {
    this.watch.close();
    for (const watched of this.containers.values()) watched.measuring?.abort();
  }

  /** Mesos has none for disk/du; Tessera's, under the containerizer's names. */
  metrics(): Record<string, number> {
    return {
      'containerizer/mesos/disk/du/containers_over_quota': [...this.containers.values()].filter(overQuota).length,
      'containerizer/mesos/disk/du/measures_failed': this.failures,
    };
  }

  /**
   * The container's entry, made on first sight: prepare for a new container, a later call for a
   * container a restarted agent recovered (it was prepared by the agent that died).
   */
  private track(spec: ContainerSpec): Watched {
    let watched = this.containers.get(spec.containerId);
    if (watched === undefined) {
      watched = { directory: spec.directory, limitBytes: 0 };
      this.containers.set(spec.containerId, watched);
      this.watch.arm();
    }
    watched.limitBytes = diskLimitBytes(spec);
    return watched;
  }

  private async measureAll(): Promise<void> {
    // The live map: a container prepared during the round is measured in it too.
    for (const [containerId, watched] of this.containers) {
      const abort = new AbortController();
      watched.measuring = abort;
      try {
        watched.usedBytes = await this.measure(watched.directory, abort.signal);
      } catch (e) {
        if (abort.signal.aborted) continue;
        this.failures += 1;
        this.options.logger.log('warn', `disk/du could not measure container ${containerId}: ${(e as Error).message}`);
      } finally {
        watched.measuring = undefined;
      }
    }
  }
}

function overQuota(watched: Watched): boolean {
  return watched.limitBytes > 0 && watched.usedBytes !== undefined && watched.usedBytes > watched.limitBytes;
}

function megabytes(bytes: number): string {
  const mb = bytes / MB;
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)}MB`;
}

/** The disk/du factory: needs only `du`, which every Linux has. */
export function diskDu(context: IsolatorContext): Isolator {
  return new DiskDuIsolator({
    enforce: context.settings.enforceContainerDiskQuota ?? false,
    intervalMs: context.settings.containerDiskWatchIntervalMs ?? DEFAULT_CONTAINER_DISK_WATCH_INTERVAL_MS,
    pause: context.pause,
    logger: context.logger,
  });
}
