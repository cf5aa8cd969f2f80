import type { Entry } from './entry.js';
import { formatRanges } from './ranges.js';
import { fromMilli } from './scalar.js';

// Characters that would change how the flag syntax splits a token, or that the parser strips.
const SPECIAL = /[;:()[\]{},\s]/;

/**
 * The agent flag syntax, `cpus:4;mem:8192;ports(web):[31000-32000];zones:{a,b}`, which
 * `parseResources` reads back. The syntax can say "unreserved" or "statically reserved for one
 * role" and nothing more, so when any entry carries a dynamic or refined reservation, an
 * allocation, revocability, sharing, or a name the syntax cannot hold, the whole value is written
 * as the JSON array form instead, which the parser accepts too. Either way the text reads back to
 * an equal value.
 */
export function formatEntries(entries: readonly Entry[]): string {
  if (!entries.every(fitsFlagSyntax)) {
    return JSON.stringify(entries.flatMap((e) => Array.from({ length: e.count }, () => e.toResource())));
  }
  return entries.map(formatEntry).join(';');
}

function formatEntry(e: Entry): string {
  const role = e.meta.reservationRole;
  const head = role === undefined ? e.name : `${e.name}(${role})`;
  if (e.type === 'SCALAR') return `${head}:${fromMilli(e.milli)}`;
  if (e.type === 'RANGES') return `${head}:${formatRanges(e.ranges)}`;
  return `${head}:{${e.items.join(',')}}`;
}

function fitsFlagSyntax(e: Entry): boolean {
  const { reservations, allocationRole, revocable, shared } = e.meta;
  if (allocationRole !== undefined || revocable || shared) return false;
  if (SPECIAL.test(e.name)) return false;
  if (reservations.length > 1) return false;
  const only = reservations[0];
  if (only !== undefined && (only.type !== 'STATIC' || only.principal !== undefined || only.labels !== undefined || SPECIAL.test(only.role))) {
    return false;
  }
  // An empty item would vanish, and `{}` is the empty set, not a set of one empty item.
  return e.type !== 'SET' || e.items.every((item) => item !== '' && !SPECIAL.test(item));
}
