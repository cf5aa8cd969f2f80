import { ResourceParseError } from './errors.js';
import { copyReservation, decodeMeta, deepFreeze, type Meta } from './meta.js';
import {
  NO_RANGES,
  coalesce,
  containsRanges,
  rangesEqual,
  sortRanges,
  subtractRanges,
  toValueRanges,
  unionRanges,
  type RangeList,
} from './ranges.js';
import type { Resource, ResourceType } from './resource-schema.js';
import { fromMilli, scalarError, toMilli } from './scalar.js';
import { NO_ITEMS, containsItems, itemsEqual, sortItems, subtractItems, unionItems, type ItemSet } from './sets.js';

// An Entry is one wire Resource decoded once into canonical form: the value as integer
// thousandths, a canonical interval list or a sorted item set, and a `key` string naming
// everything that must match for two entries to combine. Entries are immutable and shared between
// Resources values, so arithmetic copies a short array of pointers and never re-reads the wire.

/** One canonical resource. Fields not of its type hold the shared empty value. */
export class Entry {
  private frozenView: Resource | undefined;

  constructor(
    readonly name: string,
    readonly type: ResourceType,
    readonly meta: Meta,
    /** SCALAR: the value in thousandths. */
    readonly milli: number,
    readonly ranges: RangeList,
    readonly items: ItemSet,
    /** How many copies of a shared resource are held; 1 otherwise. */
    readonly count: number,
    /** Equal for two entries exactly when they combine; see `entryKey`. */
    readonly key: string = entryKey(name, type, meta, milli, ranges, items),
  ) {}

  /** True when nothing is left: zero, no intervals, no items, or no shared copies. */
  isEmpty(): boolean {
    if (this.count <= 0) return true;
    return this.type === 'SCALAR' ? this.milli <= 0 : this.type === 'RANGES' ? this.ranges.length === 0 : this.items.length === 0;
  }

  /** A frozen wire form, built once, for predicates to read. */
  view(): Resource {
    this.frozenView ??= deepFreeze(this.toResource());
    return this.frozenView;
  }

  /** A fresh wire form the caller may keep and change. */
  toResource(): Resource {
    const out: Resource = { name: this.name, type: this.type };
    if (this.type === 'SCALAR') out.scalar = { value: fromMilli(this.milli) };
    else if (this.type === 'RANGES') out.ranges = { range: toValueRanges(this.ranges) };
    else out.set = { item: [...this.items] };
    const { reservations, allocationRole, revocable, shared } = this.meta;
    if (reservations.length > 0) out.reservations = reservations.map(copyReservation);
    if (allocationRole !== undefined) out.allocation_info = { role: allocationRole };
    if (revocable) out.revocable = {};
    if (shared) out.shared = {};
    return out;
  }

  /** The same value under other metadata (e.g. another allocation role). */
  withMeta(meta: Meta): Entry {
    return new Entry(this.name, this.type, meta, this.milli, this.ranges, this.items, this.count);
  }
}

// The key is built by concatenation, which is unambiguous because each part but the last
// delimits itself: the type is one of three words none of which starts another, and the meta id
// and a shared value are JSON. Mesos combines two shared resources only when they are wholly
// equal (they are the same volume), counting copies; so for those the value is part of the key.
function entryKey(name: string, type: ResourceType, meta: Meta, milli: number, ranges: RangeList, items: ItemSet): string {
  if (!meta.shared) return type + meta.id + name;
  const value = type === 'SCALAR' ? milli : type === 'RANGES' ? ranges : items;
  return type + meta.id + JSON.stringify(value) + name;
}

/** `a + b` for entries with equal keys. */
export function addEntries(a: Entry, b: Entry): Entry {
  if (a.meta.shared) return new Entry(a.name, a.type, a.meta, a.milli, a.ranges, a.items, a.count + b.count, a.key);
  return new Entry(a.name, a.type, a.meta, a.milli + b.milli, unionRanges(a.ranges, b.ranges), unionItems(a.items, b.items), 1, a.key);
}

/** `a - b` for entries with equal keys; undefined when nothing, or less than nothing, is left. */
export function subtractEntries(a: Entry, b: Entry): Entry | undefined {
  const result = a.meta.shared
    ? new Entry(a.name, a.type, a.meta, a.milli, a.ranges, a.items, a.count - b.count, a.key)
    : new Entry(a.name, a.type, a.meta, a.milli - b.milli, subtractRanges(a.ranges, b.ranges), subtractItems(a.items, b.items), 1, a.key);
  return result.isEmpty() ? undefined : result;
}

/** True when `a` holds all of `b`, for entries with equal keys. */
export function entryContains(a: Entry, b: Entry): boolean {
  if (a.meta.shared) return a.count >= b.count;
  if (a.type === 'SCALAR') return a.milli >= b.milli;
  if (a.type === 'RANGES') return containsRanges(a.ranges, b.ranges);
  return containsItems(a.items, b.items);
}

/** Value equality for entries with equal keys. */
export function entryEquals(a: Entry, b: Entry): boolean {
  return a.count === b.count && a.milli === b.milli && rangesEqual(a.ranges, b.ranges) && itemsEqual(a.items, b.items);
}

/**
 * Decodes and validates one wire resource as Mesos's `Resources::validate` does. Throws a
 * ResourceParseError naming the resource. `allowOverlap` lets intervals overlap (flag syntax).
 */
export function toEntry(resource: Resource, allowOverlap = false): Entry {
  const entry = decode(resource, allowOverlap);
  if (typeof entry === 'string') throw new ResourceParseError(`invalid resource '${resource.name}': ${entry}`);
  return entry;
}

/** Why a wire resource is invalid, or undefined when it is valid. */
export function resourceError(resource: Resource): string | undefined {
  const entry = decode(resource, false);
  return typeof entry === 'string' ? `invalid resource '${resource.name}': ${entry}` : undefined;
}

function decode(r: Resource, allowOverlap: boolean): Entry | string {
  if (typeof r.name !== 'string' || r.name === '') return 'the name is empty';
  const meta = decodeMeta(r);
  if (typeof meta === 'string') return meta;
  const present = (r.scalar ? 1 : 0) + (r.ranges ? 1 : 0) + (r.set ? 1 : 0);
  if (r.type === 'SCALAR') {
    if (!r.scalar || present !== 1) return 'a SCALAR resource needs `scalar` and nothing else';
    const problem = scalarError(r.scalar.value);
    if (problem) return problem;
    return new Entry(r.name, r.type, meta, toMilli(r.scalar.value), NO_RANGES, NO_ITEMS, 1);
  }
  if (r.type === 'RANGES') {
    if (!r.ranges || present !== 1) return 'a RANGES resource needs `ranges` and nothing else';
    const sorted = sortRanges(r.ranges.range, allowOverlap);
    if (typeof sorted === 'string') return sorted;
    return new Entry(r.name, r.type, meta, 0, coalesce(sorted), NO_ITEMS, 1);
  }
  if (r.type === 'SET') {
    if (!r.set || present !== 1) return 'a SET resource needs `set` and nothing else';
    const items = sortItems(r.set.item);
    if (typeof items === 'string') return items;
    return new Entry(r.name, r.type, meta, 0, NO_RANGES, items, 1);
  }
  return `unknown type '${String(r.type)}'`;
}
