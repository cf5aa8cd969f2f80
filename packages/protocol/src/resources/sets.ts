// Item sets are held sorted (by UTF-16 code unit, the order `<` gives) and without duplicates,
// so equality is an element comparison and union, difference and containment are merge passes.

/** A canonical item set: sorted, unique. */
export type ItemSet = readonly string[];

/** The empty item set, shared. */
export const NO_ITEMS: ItemSet = Object.freeze([]);

/** The wire items sorted, or why they are invalid: Mesos rejects a set naming an item twice. */
export function sortItems(items: readonly string[]): string[] | string {
  const sorted = [...items].sort(compare);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) return `set item '${sorted[i]}' appears twice`;
  }
  return sorted;
}

function compare(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The union of two canonical sets. */
export function unionItems(a: ItemSet, b: ItemSet): ItemSet {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const c = compare(a[i]!, b[j]!);
    if (c <= 0) out.push(a[i++]!);
    if (c >= 0) {
      if (c > 0) out.push(b[j]!);
      j++;
    }
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

/** The items of `a` not in `b`. */
export function subtractItems(a: ItemSet, b: ItemSet): ItemSet {
  if (a.length === 0 || b.length === 0) return a;
  const out: string[] = [];
  let j = 0;
  for (const item of a) {
    while (j < b.length && b[j]! < item) j++;
    if (j >= b.length || b[j] !== item) out.push(item);
  }
  return out;
}

/** True when every item of `b` is in `a`. */
export function containsItems(a: ItemSet, b: ItemSet): boolean {
  if (b.length > a.length) return false;
  let i = 0;
  for (const item of b) {
    while (i < a.length && a[i]! < item) i++;
    if (i >= a.length || a[i] !== item) return false;
  }
  return true;
}

/** Equality of canonical sets. */
export function itemsEqual(a: ItemSet, b: ItemSet): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
