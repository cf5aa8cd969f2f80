/**
 * Resources as the UI shows them: a scalar map `{cpus, mem, disk, gpus}` (mem and disk in MB),
 * read from either form the master sends: v0 views' maps, or v1 `Resource` arrays.
 */

export type ScalarMap = Record<string, number>;

/** The resources charted on the overview, in this order. */
export const CHARTED_RESOURCES = ['cpus', 'mem', 'disk', 'gpus'] as const;

interface V1Resource {
  name?: unknown;
  type?: unknown;
  scalar?: { value?: unknown };
}

/** The scalar resources of a v0 map or a v1 array; anything else (ranges, sets, junk) is left out. */
export function scalarResources(value: unknown): ScalarMap {
  const out: ScalarMap = {};
  if (Array.isArray(value)) {
    for (const r of value as V1Resource[]) {
      if (r === null || typeof r !== 'object' || typeof r.name !== 'string') continue;
      const amount = r.scalar?.value;
      if (typeof amount === 'number' && Number.isFinite(amount)) out[r.name] = (out[r.name] ?? 0) + amount;
    }
  } else if (value !== null && typeof value === 'object') {
    // A v0 map `{cpus: 1}`, or a v1 quota map `{cpus: {value: 1}}`.
    for (const [name, entry] of Object.entries(value as Record<string, unknown>)) {
      const amount = entry !== null && typeof entry === 'object' ? (entry as { value?: unknown }).value : entry;
      if (typeof amount === 'number' && Number.isFinite(amount)) out[name] = amount;
    }
  }
  return out;
}

/** `a + b`, name by name. */
export function addResources(a: ScalarMap, b: ScalarMap): ScalarMap {
  const out: ScalarMap = { ...a };
  for (const [name, amount] of Object.entries(b)) out[name] = (out[name] ?? 0) + amount;
  return out;
}

/** The largest fraction `used[r] / total[r]` over the resources the cluster has: DRF's dominant share. */
export function dominantShare(used: ScalarMap, total: ScalarMap): { share: number; resource?: string } {
  let best: { share: number; resource?: string } = { share: 0 };
  for (const [name, amount] of Object.entries(used)) {
    const whole = total[name];
    if (whole === undefined || whole <= 0) continue;
    const share = amount / whole;
    if (share > best.share) best = { share, resource: name };
  }
  return best;
}

/** `cpus: 1.5, mem: 128 MB` style text for a table cell. */
export function formatResources(resources: ScalarMap): string {
  const parts: string[] = [];
  for (const name of CHARTED_RESOURCES) {
    const amount = resources[name];
    if (amount !== undefined && amount > 0) parts.push(`${name}: ${formatAmount(name, amount)}`);
  }
  return parts.join(', ') || '—';
}

/** One amount with its unit: cpus as a plain number, mem and disk from MB to the readable unit. */
export function formatAmount(name: string, amount: number): string {
  if (name === 'mem' || name === 'disk') return formatMegabytes(amount);
  return String(Math.round(amount * 100) / 100);
}

export function formatMegabytes(mb: number): string {
  if (mb >= 1024 * 1024) return `${round1(mb / (1024 * 1024))} TB`;
  if (mb >= 1024) return `${round1(mb / 1024)} GB`;
  return `${round1(mb)} MB`;
}

function round1(x: number): string {
  return String(Math.round(x * 10) / 10);
}
