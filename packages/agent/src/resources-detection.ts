import { existsSync, statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Resources, type Resource } from '@tessera/protocol';

/** What the agent measures of its machine, in Mesos's units (MB for memory and disk). */
export interface HostFacts {
  cpus: number;
  memoryMB: number;
  /** Space left on the work directory's file system. */
  diskMB: number;
}

const GB = 1024;
/** Mesos's `DEFAULT_PORTS`. */
export const DEFAULT_PORTS = { begin: 31_000, end: 32_000 };

/**
 * The resources an agent offers when `--resources` says nothing of them, by Mesos's rules
 * (src/slave/containerizer/containerizer.cpp): every core; memory less 1 GB for the system when
 * there are at least 2 GB, else half; disk less 5 GB when there are at least 10 GB, else half;
 * ports 31000-32000. Tessera measures the disk's free space rather than its size, so that an
 * agent on a shared laptop disk does not offer space that other files already fill.
 */
export function detectedResources(facts: HostFacts): Resource[] {
  const mem = facts.memoryMB >= 2 * GB ? facts.memoryMB - GB : facts.memoryMB / 2;
  const disk = facts.diskMB >= 10 * GB ? facts.diskMB - 5 * GB : facts.diskMB / 2;
  return [
    { name: 'cpus', type: 'SCALAR', scalar: { value: facts.cpus } },
    { name: 'mem', type: 'SCALAR', scalar: { value: Math.floor(mem) } },
    { name: 'disk', type: 'SCALAR', scalar: { value: Math.floor(disk) } },
    { name: 'ports', type: 'RANGES', ranges: { range: [{ ...DEFAULT_PORTS }] } },
  ];
}

/**
 * The agent's total: what `flagText` (Mesos `--resources` syntax or JSON, with static
 * reservations such as `cpus(web):2`) gives, plus each detected resource whose name the flag
 * does not mention. As in Mesos, naming a resource at all (in any role) replaces its detection:
 * `cpus(web):2` alone means two reserved cores and no unreserved ones.
 * @throws ResourceParseError for bad `flagText`.
 */
export function agentResources(flagText: string | undefined, facts: HostFacts): Resources {
  const given = flagText === undefined || flagText.trim() === '' ? Resources.EMPTY : Resources.parse(flagText);
  const named = new Set(given.names());
  return given.add(Resources.of(detectedResources(facts).filter((r) => !named.has(r.name))));
}

/** Measures this machine: cores, memory, and free space under `workDir` (or its nearest existing parent). */
export function readHostFacts(workDir: string): HostFacts {
  let dir = path.resolve(workDir);
  while (!existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  const fs = statfsSync(dir);
  return {
    cpus: os.cpus().length,
    memoryMB: Math.floor(os.totalmem() / (1024 * 1024)),
    diskMB: Math.floor((fs.bavail * fs.bsize) / (1024 * 1024)),
  };
}
