import type { Logger } from '@tessera/process';
import { cgroupsCpu } from './cgroups-cpu.js';
import { cgroupsMem } from './cgroups-mem.js';
import { cgroupsPids } from './cgroups-pids.js';
import type { Pause } from './cgroups.js';
import { Containerizer } from './containerizer.js';
import { diskDu } from './disk-du.js';
import type { CgroupHierarchy, HostCapabilities } from './host-capabilities.js';
import type { IsolationSettings, Isolator, IsolatorContext, IsolatorFactory } from './isolator.js';
import { filesystemLinux, namespacesPid } from './linux-namespaces.js';
import { networkPorts } from './network-ports.js';
import { posixCpu, posixMem, posixRlimits } from './posix-isolators.js';

/** The isolators `--isolation` may name, by Mesos's names. */
const FACTORIES = new Map<string, IsolatorFactory>([
  ['cgroups/cpu', cgroupsCpu],
  ['cgroups/mem', cgroupsMem],
  ['cgroups/pids', cgroupsPids],
  ['posix/cpu', posixCpu],
  ['posix/mem', posixMem],
  ['posix/rlimits', posixRlimits],
  ['namespaces/pid', namespacesPid],
  ['filesystem/linux', filesystemLinux],
  ['disk/du', diskDu],
  ['network/ports', networkPorts],
]);

/** Adds an isolator name (disk/du, network/ports, ...). @throws when the name is taken. */
export function registerIsolator(name: string, factory: IsolatorFactory): void {
  if (FACTORIES.has(name)) throw new Error(`isolator ${name} is registered already`);
  FACTORIES.set(name, factory);
}

export function isolatorNames(): string[] {
  return [...FACTORIES.keys()];
}

/** Mesos's default, and the agent library's: nothing enforced but per-process limits. */
export const POSIX_ISOLATION = 'posix/cpu,posix/mem';
/** Mesos's default `--cgroups_root` is `mesos`; Tessera's, under the agent's own cgroup. */
export const DEFAULT_CGROUPS_ROOT = 'tessera';

/**
 * The isolation an agent gets when the operator names none (`--isolation` unset): the cgroups
 * isolators of every controller the host has, posix ones for the rest, and posix/rlimits; with
 * the reason, to log and show in /state.
 */
export function defaultIsolation(host: HostCapabilities): { isolation: string; why: string } {
  const names: string[] = [];
  const fallbacks: string[] = [];
  const pick = (cgroup: string, controller: 'cpu' | 'memory' | 'pids', posix: string | undefined): void => {
    if (host.cgroups[controller] !== undefined) names.push(cgroup);
    else {
      if (posix !== undefined) names.push(posix);
      fallbacks.push(`${cgroup}: ${host.missing[`cgroups/${controller}`] ?? 'unavailable'}${posix === undefined ? '' : ` (${posix} instead)`}`);
    }
  };
  pick('cgroups/cpu', 'cpu', 'posix/cpu');
  pick('cgroups/mem', 'memory', 'posix/mem');
  pick('cgroups/pids', 'pids', undefined);
  names.push('posix/rlimits');
  const why = fallbacks.length === 0 ? 'the host has writable cgroup v1 cpu, memory and pids hierarchies' : `not every cgroup is available: ${fallbacks.join('; ')}`;
  return { isolation: names.join(','), why };
}

/** Splits and checks an `--isolation` value. @throws naming every unknown isolator. */
export function parseIsolation(text: string): string[] {
  const names = [...new Set(text.split(',').map((n) => n.trim()).filter((n) => n !== ''))];
  const unknown = names.filter((n) => !FACTORIES.has(n));
  if (unknown.length > 0) throw new Error(`unknown isolator${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${isolatorNames().join(', ')})`);
  return names;
}

/** How the agent's containerizer is to be built. */
export interface IsolationOptions {
  /** `--isolation`; undefined: defaultIsolation's. */
  isolation?: string;
  /** 'linux' (freezer) or 'posix'; default linux where the host has a writable freezer hierarchy. */
  launcher?: 'linux' | 'posix';
  cgroupsRoot?: string;
  settings: IsolationSettings;
  host: HostCapabilities;
  pause: Pause;
  logger: Logger;
}

/** What the agent shows of its isolation in /state (`isolation`). */
export interface IsolationView {
  isolation: string;
  launcher: 'linux' | 'posix';
  cgroups_root: string;
  /** Why this isolation: the operator's flag, or what the host lacks. */
  chosen: string;
  host: { cgroups: Record<string, string>; unshare: boolean; bubblewrap: boolean; missing: Record<string, string> };
}

/**
 * Builds the containerizer `--isolation` asks for.
 * @throws naming every isolator the host cannot have, or an unknown one, or a linux launcher
 * without a freezer: an agent must not run tasks with less isolation than it was told to.
 */
export function buildContainerizer(options: IsolationOptions): { containerizer: Containerizer; view: IsolationView } {
  const root = options.cgroupsRoot ?? DEFAULT_CGROUPS_ROOT;
  if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(root) || root.split('/').includes('..')) throw new Error(`cgroups root '${root}' must be a relative path of plain names`);
  const chosen = options.isolation === undefined ? defaultIsolation(options.host) : { isolation: options.isolation, why: 'as --isolation says' };
  const names = parseIsolation(chosen.isolation);
  const context: IsolatorContext = { host: options.host, cgroupsRoot: root, settings: options.settings, logger: options.logger, pause: options.pause };
  const isolators: Isolator[] = [];
  const problems: string[] = [];
  for (const name of names) {
    const built = FACTORIES.get(name)!(context);
    if (typeof built === 'string') problems.push(`${name}: ${built}`);
    else isolators.push(built);
  }
  const freezer = options.host.cgroups.freezer;
  const launcher = options.launcher ?? (freezer === undefined ? 'posix' : 'linux');
  if (launcher === 'linux' && freezer === undefined) problems.push(`the linux launcher needs the freezer cgroup: ${options.host.missing['cgroups/freezer'] ?? 'unavailable'}`);
  if (problems.length > 0) throw new Error(`this host cannot isolate as asked: ${problems.join('; ')}`);
  const cgroups = options.host.cgroups;
  const used = new Set<CgroupHierarchy | undefined>([
    ...(names.includes('cgroups/mem') ? [cgroups.memory] : []),
    ...(names.includes('cgroups/cpu') ? [cgroups.cpu, cgroups.cpuacct] : []),
    ...(names.includes('cgroups/pids') ? [cgroups.pids] : []),
    ...(launcher === 'linux' ? [freezer] : []),
  ]);
  const containerizer = new Containerizer({
    isolators, freezer: launcher === 'linux' ? freezer : undefined, cgroupsRoot: root, settings: options.settings, pause: options.pause, logger: options.logger,
    hierarchies: [...used].filter((h): h is CgroupHierarchy => h !== undefined),
  });
  const view: IsolationView = {
    isolation: names.join(','),
    launcher,
    cgroups_root: root,
    chosen: chosen.why,
    host: {
      cgroups: Object.fromEntries(Object.entries(options.host.cgroups).map(([c, h]) => [c, `${h.mount}${h.own === '/' ? '' : h.own}`])),
      unshare: options.host.unshare !== undefined,
      bubblewrap: options.host.bubblewrap !== undefined,
      missing: options.host.missing,
    },
  };
  return { containerizer, view };
}
