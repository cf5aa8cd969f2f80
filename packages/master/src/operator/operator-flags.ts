import type { MasterFlags } from '../master-flags.js';

const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The master's flags as Mesos lists them: snake_case names, every value a string (unset ones left out). */
export function flagEntries(flags: MasterFlags): [string, string][] {
  return Object.entries(flags).filter(([, v]) => v !== undefined).map(([k, v]) => [snake(k), String(v)]);
}
