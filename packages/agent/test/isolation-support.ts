import { existsSync, readFileSync, readdirSync, rmdirSync } from 'node:fs';
import path from 'node:path';
import { memoryLogger } from '@tessera/process';
import type { Resource } from '@tessera/protocol';
import { buildContainerizer, detectHostCapabilities, type ContainerSpec, type Containerizer, type HostCapabilities, type IsolationSettings } from '../src/index.js';

/** What this host offers, detected once for every isolation test file. */
export const host: HostCapabilities = detectHostCapabilities();

/** Each test run's cgroups live under a root of its own, removed at the end. */
export const TEST_ROOT = `tessera-test-${process.pid}`;

/** Skips the test, saying why, unless the host has every feature named ('cgroups/memory', 'unshare', 'bwrap'). */
export function requireHost(context: Mocha.Context, ...features: string[]): void {
  for (const feature of features) {
    const have = feature.startsWith('cgroups/') ? host.cgroups[feature.slice(8) as keyof HostCapabilities['cgroups']] !== undefined
      : feature === 'unshare' ? host.unshare !== undefined : host.bubblewrap !== undefined;
    if (!have) {
      console.log(`      skipped: this host lacks ${feature}: ${host.missing[feature] ?? 'not detected'}`);
      context.skip();
    }
  }
}

export const settings: IsolationSettings = { pidsLimit: 4096, rlimitNofile: 1024, rlimitCpuSeconds: undefined, enforceMemoryRlimit: true, enableCfs: true };

/** A containerizer with real isolators under the test root (or `root` in it), on real timers. */
export function containerizer(isolation: string, overrides: Partial<IsolationSettings> = {}, root = TEST_ROOT): Containerizer {
  return buildContainerizer({
    isolation,
    cgroupsRoot: root,
    settings: { ...settings, ...overrides },
    host,
    pause: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    logger: memoryLogger(),
  }).containerizer;
}

let nextContainer = 0;

/** A container spec with `cpus` and `mem` (MB), its sandbox `directory`. */
export function spec(directory: string, cpus: number, mem: number): ContainerSpec {
  const resources: Resource[] = [{ name: 'cpus', type: 'SCALAR', scalar: { value: cpus } }, { name: 'mem', type: 'SCALAR', scalar: { value: mem } }];
  nextContainer += 1;
  return { containerId: `c${nextContainer}-${process.pid}`, frameworkId: 'F1', executorId: `e${nextContainer}`, directory, resources };
}

/** The cgroup dir of a container in `controller`'s hierarchy (under the test root). */
export function cgroupDir(controller: keyof HostCapabilities['cgroups'], containerId: string): string {
  const h = host.cgroups[controller]!;
  return path.join(h.mount, h.own, TEST_ROOT, containerId);
}

/** Pids of the processes whose command line holds `marker` (this scan's own excepted). */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) found.push(Number(entry));
    } catch {
      // gone while scanning
    }
  }
  return found;
}

/** The cgroup dirs of a hierarchy under the test root, any depth (an agent adds a level of its own). */
export function testCgroups(controller: keyof HostCapabilities['cgroups']): string[] {
  const h = host.cgroups[controller];
  const root = h === undefined ? '' : path.join(h.mount, h.own, TEST_ROOT);
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).flatMap((e) => [path.join(dir, e.name), ...walk(path.join(dir, e.name))]);
  return root !== '' && existsSync(root) ? walk(root) : [];
}

/** Removes the test root from every hierarchy (each container's own cgroups are gone by then). */
export function removeTestRoot(): void {
  for (const [controller, h] of Object.entries(host.cgroups)) {
    for (const dir of testCgroups(controller as keyof HostCapabilities['cgroups']).reverse()) rmdirSync(dir);
    const root = path.join(h.mount, h.own, TEST_ROOT);
    if (existsSync(root)) rmdirSync(root);
  }
}
