import type { ValueRange } from './resource-schema.js';

// Interval lists are held flat, `[begin0, end0, begin1, end1, ...]`, sorted by begin, with no two
// intervals overlapping or touching: [1-3] and [4-6] are stored as [1-6]. That one canonical form
// makes equality a plain element comparison and lets union, difference and containment each run
// as a single merge pass over both lists, with no sorting on the hot path.

/** A canonical interval list: flat begin/end pairs, sorted, disjoint and non-adjacent. */
export type RangeList = readonly number[];

/** The empty interval list, shared. */
export const NO_RANGES: RangeList = Object.freeze([]);

/**
 * The wire intervals as flat pairs sorted by begin (not yet merged), or why they are invalid:
 * bounds must be non-negative safe integers with begin ≤ end. With `allowOverlap` false, two
 * intervals sharing a value are an error, as Mesos's `Resources::validate` has it; the flag
 * syntax sets it true, because Mesos merges `[1-5,3-7]` there before validating.
 */
export function sortRanges(list: readonly ValueRange[], allowOverlap: boolean): number[] | string {
  const pairs: [number, number][] = [];
  for (const { begin, end } of list) {
    if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || end < 0) {
      return `range ${begin}-${end} has a bound that is not a non-negative integer`;
    }
    if (begin > end) return `range ${begin}-${end} has begin > end`;
    pairs.push([begin, end]);
  }
  pairs.sort((x, y) => x[0] - y[0]);
  const flat: number[] = [];
  for (const [begin, end] of pairs) {
    const last = flat.length - 1;
    if (!allowOverlap && last > 0 && begin <= flat[last]!) {
      return `ranges ${flat[last - 1]}-${flat[last]} and ${begin}-${end} overlap`;
    }
    flat.push(begin, end);
  }
  return flat;
}

/** Merges sorted flat pairs into canonical form: overlapping and adjacent intervals fuse. */
export function coalesce(sorted: readonly number[]): RangeList {
  const out: number[] = [];
  for (let i = 0; i < sorted.length; i += 2) appendRange(out, sorted[i]!, sorted[i + 1]!);
  return out;
}

// Appends [begin, end] to a canonical list being built in begin order, fusing it with the last
// interval when they overlap or touch.
function appendRange(out: number[], begin: number, end: number): void {
  const last = out.length - 1;
  if (last > 0 && begin <= out[last]! + 1) {
    if (end > out[last]!) out[last] = end;
  } else {
    out.push(begin, end);
  }
}

/** The union of two canonical lists, in one merge pass. */
export function unionRanges(a: RangeList, b: RangeList): RangeList {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) {
      appendRange(out, a[i]!, a[i + 1]!);
      i += 2;
    } else {
      appendRange(out, b[j]!, b[j + 1]!);
      j += 2;
    }
  }
  return out;
}

/** The values of `a` not in `b`; an interval of `a` with a hole punched in it splits in two. */
export function subtractRanges(a: RangeList, b: RangeList): RangeList {
  if (a.length === 0 || b.length === 0) return a;
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    const end = a[i + 1]!;
    let from = a[i]!;
    // Intervals of b wholly before this one cannot touch any later one of a either.
    while (j < b.length && b[j + 1]! < from) j += 2;
    for (let k = j; k < b.length && b[k]! <= end && from <= end; k += 2) {
      if (b[k]! > from) out.push(from, b[k]! - 1);
      from = b[k + 1]! + 1;
    }
    if (from <= end) out.push(from, end);
  }
  return out;
}

/** True when every value of `b` is in `a`. In canonical form each interval of `b` must lie in one of `a`. */
export function containsRanges(a: RangeList, b: RangeList): boolean {
  let i = 0;
  for (let j = 0; j < b.length; j += 2) {
    const begin = b[j]!;
    while (i < a.length && a[i + 1]! < begin) i += 2;
    if (i >= a.length || a[i]! > begin || a[i + 1]! < b[j + 1]!) return false;
  }
  return true;
}

/** Equality of canonical lists. */
export function rangesEqual(a: RangeList, b: RangeList): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The wire form `[{begin, end}, ...]`. */
export function toValueRanges(list: RangeList): ValueRange[] {
  const out: ValueRange[] = [];
  for (let i = 0; i < list.length; i += 2) out.push({ begin: list[i]!, end: list[i + 1]! });
  return out;
}

/** The flag syntax, `[31000-32000,40000-40010]`. */
export function formatRanges(list: RangeList): string {
  const parts: string[] = [];
  for (let i = 0; i < list.length; i += 2) parts.push(`${list[i]}-${list[i + 1]}`);
  return `[${parts.join(',')}]`;
}
