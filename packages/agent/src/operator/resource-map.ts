import type { Resource } from '@tessera/protocol';

/** Resources as Mesos's v0 JSON views show them: `{cpus: 1, mem: 128, disk: 0, gpus: 0, ports: "[31000-32000]"}`. */
export type ResourceMap = Record<string, number | string>;

/**
 * Sums a wire list into the view's map (reservations and roles folded together, as Mesos's
 * `model(Resources)` does): scalars added up, ranges as `[a-b, c-d]`, sets as `{x, y}`.
 */
export function resourceMap(list: readonly Resource[]): ResourceMap {
  const out: ResourceMap = { cpus: 0, mem: 0, disk: 0, gpus: 0 };
  const ranges = new Map<string, string[]>();
  const sets = new Map<string, string[]>();
  for (const resource of list) {
    if (resource.type === 'SCALAR') {
      const before = typeof out[resource.name] === 'number' ? (out[resource.name] as number) : 0;
      // Scalars are exact to 0.001 in Mesos: round away the float noise of the sum.
      out[resource.name] = Math.round((before + (resource.scalar?.value ?? 0)) * 1000) / 1000;
    } else if (resource.type === 'RANGES') {
      const parts = ranges.get(resource.name) ?? [];
      for (const range of resource.ranges?.range ?? []) parts.push(`${range.begin}-${range.end}`);
      ranges.set(resource.name, parts);
    } else if (resource.type === 'SET') {
      sets.set(resource.name, [...(sets.get(resource.name) ?? []), ...(resource.set?.item ?? [])]);
    }
  }
  for (const [name, parts] of ranges) out[name] = `[${parts.join(', ')}]`;
  for (const [name, items] of sets) out[name] = `{${items.join(', ')}}`;
  return out;
}
