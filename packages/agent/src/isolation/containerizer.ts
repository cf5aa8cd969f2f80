import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { ContainerLaunch, RLimit } from '@tessera/protocol';
import type { Logger } from '@tessera/process';
import { allSettled, freezeAndKill, makeCgroup, removeCgroup, tryRemoveCgroup, type Pause } from './cgroups.js';
import { containerCgroup, type CgroupHierarchy } from './host-capabilities.js';
import type { ContainerSpec, ContainerUsage, Isolator, IsolationSettings, LaunchPlan, Limitation } from './isolator.js';
import { defaultRlimits } from './posix-isolators.js';

/** How a containerizer is built (see registry.ts for building it from `--isolation`). */
export interface ContainerizerOptions {
  isolators: Isolator[];
  /** The freezer hierarchy: with it, the linux launcher (a freezer cgroup per container); without, posix. */
  freezer?: CgroupHierarchy | undefined;
  cgroupsRoot: string;
  /** Every hierarchy a container has a cgroup in (the isolators' and the freezer): where orphans are looked for. */
  hierarchies?: CgroupHierarchy[];
  settings: IsolationSettings;
  pause: Pause;
  logger: Logger;
}

/**
 * Mesos's containerizer, without images: runs a container's isolators in order around its life
 * and, with the linux launcher, destroys it through the freezer so that no process of it
 * survives (a process that left its process group, a daemon, is in its cgroup still).
 */
export class Containerizer {
  readonly isolators: readonly Isolator[];
  private readonly freezer: CgroupHierarchy | undefined;
  /** Containers being prepared, by id: settles when the preparation has (either way). */
  private readonly preparing = new Map<string, Promise<void>>();
  /** Destroys in flight: `close` waits for them. */
  private readonly destroying = new Set<Promise<void>>();

  constructor(private readonly options: ContainerizerOptions) {
    this.isolators = options.isolators;
    this.freezer = options.freezer;
  }

  /** 'linux' (freezer) or 'posix' (process groups). */
  get launcher(): 'linux' | 'posix' {
    return this.freezer === undefined ? 'posix' : 'linux';
  }

  /**
   * Prepares the container before its executor starts: its freezer cgroup and each isolator's
   * part, all at once; resolves to how its processes must be started.
   * @throws (rejects) when the container cannot be isolated (`destroy` removes what was made).
   */
  prepare(spec: ContainerSpec): Promise<LaunchPlan> {
    const making = this.make(spec);
    // A destroy waits for this: a cgroup made after the others were removed would leak.
    const settled = making.then(() => undefined, () => undefined);
    this.preparing.set(spec.containerId, settled);
    void settled.then(() => {
      if (this.preparing.get(spec.containerId) === settled) this.preparing.delete(spec.containerId);
    });
    return making;
  }

  private async make(spec: ContainerSpec): Promise<LaunchPlan> {
    if (spec.containerType === 'DOCKER') throw new Error('this agent runs no Docker containers (ContainerInfo.type DOCKER); use MESOS');
    const freezer = this.freezerDir(spec);
    const parts: Promise<LaunchPlan>[] = [Promise.resolve({ rlimits: defaultRlimits(this.options.settings) })];
    if (freezer !== undefined) parts.push(makeCgroup(freezer).then(() => ({ cgroups: [freezer] })));
    for (const isolator of this.isolators) parts.push((async () => isolator.prepare(spec))());
    return mergePlans(await allSettled(parts));
  }

  /** The container's resources changed. */
  update(spec: ContainerSpec): void {
    for (const isolator of this.isolators) isolator.update?.(spec);
  }

  /** What the container uses, merged from every isolator that measures. */
  usage(spec: ContainerSpec): ContainerUsage {
    return Object.assign({}, ...this.isolators.map((i) => i.usage?.(spec) ?? {})) as ContainerUsage;
  }

  /** The first limit the container broke, if any. */
  limitation(spec: ContainerSpec): Limitation | undefined {
    for (const isolator of this.isolators) {
      const found = isolator.limitation?.(spec);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /**
   * Ends the container, once its preparation (if any) has settled: every process of it killed
   * at once (linux launcher), then every isolator's cleanup, then its freezer cgroup removed.
   * Safe on a container never prepared, or destroyed already. Each part is tried even when one
   * fails; the first failure is thrown.
   */
  destroy(spec: ContainerSpec): Promise<void> {
    const destroying = this.destroyNow(spec);
    const settled = destroying.then(() => undefined, () => undefined);
    this.destroying.add(settled);
    void settled.then(() => this.destroying.delete(settled));
    return destroying;
  }

  /**
   * The agent stops for good, its executors shut down: waits for every destroy in flight, then
   * removes the agent's cgroups root from each hierarchy (where no container is left in it).
   */
  async close(): Promise<void> {
    while (this.destroying.size > 0) await Promise.all(this.destroying);
    await Promise.all((this.options.hierarchies ?? []).map((h) => tryRemoveCgroup(path.join(h.mount, h.own, this.options.cgroupsRoot)).catch(() => false)));
  }

  private async destroyNow(spec: ContainerSpec): Promise<void> {
    await this.preparing.get(spec.containerId);
    const failures: Error[] = [];
    const attempt = async (what: string, fn: () => void | Promise<void>): Promise<void> => {
      try {
        await fn();
      } catch (e) {
        failures.push(new Error(`${what}: ${(e as Error).message}`));
      }
    };
    const freezer = this.freezerDir(spec);
    // Usually the container is empty by now (its task ended, its group was killed): then its
    // freezer cgroup simply goes, and there is nothing to freeze.
    let freezerLeft = false;
    if (freezer !== undefined) {
      await attempt('freezer', async () => {
        freezerLeft = !(await tryRemoveCgroup(freezer));
        if (freezerLeft) await freezeAndKill(freezer, this.options.pause);
      });
    }
    await Promise.all(this.isolators.map((isolator) => attempt(isolator.name, () => isolator.cleanup(spec))));
    if (freezer !== undefined && freezerLeft) await attempt('freezer', () => removeCgroup(freezer));
    if (failures.length > 0) throw new Error(`destroying container ${spec.containerId}: ${failures.map((f) => f.message).join('; ')}`);
  }

  /**
   * After the agent's start: destroys every container under this agent's cgroups root that is
   * not one of `known` (its recovered runs), as Mesos destroys orphans. Returns their ids.
   */
  async recover(known: ReadonlySet<string>): Promise<string[]> {
    const found = new Set<string>();
    for (const hierarchy of this.options.hierarchies ?? []) {
      const root = path.join(hierarchy.mount, hierarchy.own, this.options.cgroupsRoot);
      let entries: string[];
      try {
        entries = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
      } catch {
        continue;
      }
      for (const id of entries) if (!known.has(id)) found.add(id);
    }
    for (const containerId of found) await this.destroy({ containerId, frameworkId: '', executorId: '', directory: '', resources: [] });
    return [...found];
  }

  private freezerDir(spec: ContainerSpec): string | undefined {
    return this.freezer === undefined ? undefined : containerCgroup(this.freezer, this.options.cgroupsRoot, spec.containerId);
  }
}

/**
 * One plan from many, in order: cgroups added up, a later limit of a type replacing an earlier
 * one (the agent's defaults, then the isolators', the task's own last), namespaces if any asks.
 */
export function mergePlans(plans: readonly LaunchPlan[]): LaunchPlan {
  const cgroups: string[] = [];
  const rlimits = new Map<RLimit['type'], RLimit>();
  const merged: LaunchPlan = {};
  for (const plan of plans) {
    for (const dir of plan.cgroups ?? []) if (!cgroups.includes(dir)) cgroups.push(dir);
    for (const limit of plan.rlimits ?? []) rlimits.set(limit.type, limit);
    if (plan.pidNamespace === true) merged.pidNamespace = true;
    if (plan.filesystem !== undefined) {
      merged.filesystem = {
        privateTmp: plan.filesystem.privateTmp || (merged.filesystem?.privateTmp ?? false),
        readOnlyHost: plan.filesystem.readOnlyHost || (merged.filesystem?.readOnlyHost ?? false),
      };
    }
  }
  if (cgroups.length > 0) merged.cgroups = cgroups;
  if (rlimits.size > 0) merged.rlimits = [...rlimits.values()];
  return merged;
}

/** A plan as `executor.Spawn.container` carries it to the executor host. */
export function containerLaunch(plan: LaunchPlan): ContainerLaunch {
  const launch: ContainerLaunch = {};
  if (plan.cgroups !== undefined) launch.cgroups = plan.cgroups;
  if (plan.rlimits !== undefined) launch.rlimits = plan.rlimits;
  if (plan.pidNamespace === true) launch.pid_namespace = true;
  if (plan.filesystem !== undefined) launch.filesystem = { private_tmp: plan.filesystem.privateTmp, read_only_host: plan.filesystem.readOnlyHost };
  return launch;
}
