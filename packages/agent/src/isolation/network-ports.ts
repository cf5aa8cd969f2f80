import { existsSync } from 'node:fs';
import path from 'node:path';
import { Resources, type ValueRange } from '@tessera/protocol';
import type { Logger } from '@tessera/process';
import type { Pause } from './cgroups.js';
import { ContainerProcesses, type ContainerPlace } from './container-processes.js';
import type { ContainerSpec, Isolator, IsolatorContext, LaunchPlan, Limitation } from './isolator.js';
import { listeningPorts, listeningSockets } from './listening-sockets.js';
import { PeriodicWatch } from './periodic-watch.js';

/** Mesos's `--container_ports_watch_interval`: 30 s. */
export const DEFAULT_CONTAINER_PORTS_WATCH_INTERVAL_MS = 30_000;

/** What the isolator needs besides the agent's context. */
export interface NetworkPortsOptions {
  /** Mesos's `--enforce_container_ports`: a container listening on a port it was not given is a limitation. */
  enforce: boolean;
  intervalMs: number;
  pause: Pause;
  logger: Logger;
  processes: ContainerProcesses;
  /** Where /proc is (tests point it elsewhere). */
  procRoot?: string;
}

interface Watched {
  place: ContainerPlace;
  /** The container's `ports` resource. */
  given: ValueRange[];
  /** The ports outside `given` it listened on at the last check (reported once per change). */
  current?: number[];
  /** The first report, kept: the container is destroyed for it. */
  violation?: string;
}

/**
 * network/ports: every watch interval, the TCP ports the container's processes listen on (their
 * socket inodes in /proc/<pid>/fd matched against /proc/net/tcp and tcp6) are checked against
 * its `ports` resource. A port it was not given is logged and counted, once per change of the
 * set; with enforcement on it is a limitation (REASON_CONTAINER_LIMITATION, naming the ports)
 * and the agent destroys the container. As Mesos says of its own: a task may listen between two
 * checks unseen, so this catches mistakes, not malice.
 */
export class NetworkPortsIsolator implements Isolator {
  readonly name = 'network/ports';
  private readonly containers = new Map<string, Watched>();
  private readonly watch: PeriodicWatch;
  private reports = 0;

  constructor(private readonly options: NetworkPortsOptions) {
    this.watch = new PeriodicWatch('network/ports', options.intervalMs, options.pause, options.logger, () => this.check(), () => this.containers.size > 0);
  }

  /** Checking rounds completed. */
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

  limitation(spec: ContainerSpec): Limitation | undefined {
    const violation = this.track(spec).violation;
    return this.options.enforce && violation !== undefined ? { reason: 'REASON_CONTAINER_LIMITATION', message: violation } : undefined;
  }

  cleanup(spec: ContainerSpec): void {
    this.containers.delete(spec.containerId);
  }

  close(): void {
    this.watch.close();
  }

  /** Mesos has none for network/ports; Tessera's, under the containerizer's names. */
  metrics(): Record<string, number> {
    return {
      'containerizer/mesos/network/ports/containers_listening_unallocated': [...this.containers.values()].filter((w) => w.current !== undefined).length,
      'containerizer/mesos/network/ports/unallocated_reports': this.reports,
    };
  }

  /** The container's entry, made on first sight (prepare, or a container a restarted agent recovered). */
  private track(spec: ContainerSpec): Watched {
    let watched = this.containers.get(spec.containerId);
    if (watched === undefined) {
      watched = { place: { containerId: spec.containerId, directory: spec.directory }, given: [] };
      this.containers.set(spec.containerId, watched);
      this.watch.arm();
    }
    watched.given = Resources.of(spec.resources).ranges('ports');
    return watched;
  }

  private async check(): Promise<void> {
    const watched = [...this.containers.values()];
    const listening = await listeningSockets(this.options.procRoot);
    const pids = await this.options.processes.pidsOf(watched.map((w) => w.place));
    for (const entry of watched) {
      const ports = await listeningPorts(pids.get(entry.place.containerId) ?? [], listening, this.options.procRoot);
      if (this.containers.get(entry.place.containerId) !== entry) continue;
      const outside = [...ports].filter((port) => !entry.given.some((r) => port >= r.begin && port <= r.end)).sort((a, b) => a - b);
      if (outside.length === 0) {
        delete entry.current;
        continue;
      }
      if (entry.current !== undefined && outside.join() === entry.current.join()) continue;
      entry.current = outside;
      this.reports += 1;
      const message = `Container ${entry.place.containerId} is listening on port${outside.length > 1 ? 's' : ''} ${outside.join(', ')}, not among its ports resource (${describeRanges(entry.given)})`;
      this.options.logger.log('warn', message);
      if (this.options.enforce) entry.violation ??= message;
    }
  }
}

function describeRanges(ranges: readonly ValueRange[]): string {
  return ranges.length === 0 ? 'it has none' : ranges.map((r) => (r.begin === r.end ? `${r.begin}` : `${r.begin}-${r.end}`)).join(', ');
}

/** The network/ports factory: needs /proc/net/tcp. */
export function networkPorts(context: IsolatorContext): Isolator | string {
  if (!existsSync(path.join('/proc', 'net', 'tcp'))) return '/proc/net/tcp is not readable: the listening sockets cannot be found';
  return new NetworkPortsIsolator({
    enforce: context.settings.enforceContainerPorts ?? false,
    intervalMs: context.settings.containerPortsWatchIntervalMs ?? DEFAULT_CONTAINER_PORTS_WATCH_INTERVAL_MS,
    pause: context.pause,
    logger: context.logger,
    processes: new ContainerProcesses(context.host, context.cgroupsRoot),
  });
}
