import { Resources } from '../resources/resources.js';
import type { Resource } from '../resources/resource-schema.js';
import type { Attribute } from '../messages/mesos-types.js';

/**
 * Resources as Mesos's v0 JSON views (state.json) write them, on the master and the agent alike:
 * `{cpus: 1, mem: 128, disk: 0, gpus: 0, ports: "[31000-32000]"}`; sets as `{a,b}`.
 */
export type ResourceMap = Record<string, number | string>;

/**
 * The v0 map of `resources` (roles and reservations folded together, as Mesos's `model(Resources)`),
 * with cpus, mem, disk and gpus always present (0 when none).
 */
export function resourceMap(resources: Resources | readonly Resource[]): ResourceMap {
  const all = resources instanceof Resources ? resources : Resources.of(resources);
  const out: ResourceMap = { cpus: 0, mem: 0, disk: 0, gpus: 0 };
  for (const name of all.names()) {
    const ranges = all.ranges(name);
    const items = all.set(name);
    if (ranges.length > 0) out[name] = `[${ranges.map((r) => `${r.begin}-${r.end}`).join(', ')}]`;
    else if (items.length > 0) out[name] = `{${items.join(',')}}`;
    else out[name] = all.scalar(name);
  }
  return out;
}

/** Attributes as v0 writes them: `{rack: "r1", level: 2, zone: "{a,b}"}`. */
export function attributeMap(attributes: readonly Attribute[] | undefined): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const a of attributes ?? []) {
    if (a.type === 'SCALAR' && a.scalar !== undefined) out[a.name] = a.scalar.value;
    else if (a.type === 'TEXT' && a.text !== undefined) out[a.name] = a.text.value;
    else if (a.type === 'RANGES' && a.ranges !== undefined) out[a.name] = `[${a.ranges.range.map((r) => `${r.begin}-${r.end}`).join(', ')}]`;
    else if (a.type === 'SET' && a.set !== undefined) out[a.name] = `{${a.set.item.join(',')}}`;
  }
  return out;
}
