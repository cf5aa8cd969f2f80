import { Entry, addEntries, entryContains, entryEquals, subtractEntries, toEntry } from './entry.js';
import { ResourceParseError } from './errors.js';
import { formatEntries } from './format.js';
import { parseEntries } from './parse.js';
import { NO_RANGES, toValueRanges, unionRanges } from './ranges.js';
import type { Resource, ValueRange } from './resource-schema.js';
import { isStrictSubrole, roleNameError } from './roles.js';
import { fromMilli } from './scalar.js';
import { NO_ITEMS, unionItems } from './sets.js';

// Up to this many entries, finding an entry by key scans them; beyond it, a key index is built
// once per value and kept. A handful of entries (the common case: cpus, mem, disk, ports on one
// agent) is faster to scan; a total with thousands of reserved entries must not make every
// `add`, `subtract` or `contains` against it cost time proportional to its size squared.
const SCAN_LIMIT = 16;

/**
 * An immutable bag of resources with Mesos semantics (include/mesos/resources.hpp): entries that
 * agree on name, type, reservation stack, allocation role, revocability and sharing are combined
 * into one; every operation returns a new value and leaves its operands unchanged. Scalars are
 * exact to 0.001; intervals are kept sorted and merged; sets are unions of items.
 */
export class Resources {
  /** The empty value. */
  static readonly EMPTY: Resources = new Resources([]);

  // Key to position in `entries`; built on first lookup in a large value, then never changed,
  // so a result whose entries sit where they sat here may share it.
  private index: ReadonlyMap<string, number> | undefined;

  // Each entry is non-empty and has a key no other entry here has.
  private constructor(
    private readonly entries: readonly Entry[],
    index?: ReadonlyMap<string, number>,
  ) {
    this.index = index;
  }

  /**
   * The resources in a wire list, combined. Throws a ResourceParseError for a resource Mesos would
   * refuse (negative scalar, inverted or overlapping ranges, duplicate set items, bad role, ...);
   * zero-valued resources are dropped.
   */
  static of(list: readonly Resource[]): Resources {
    return Resources.combine(list.map((resource) => toEntry(resource)));
  }

  /**
   * Reads the agent flag syntax (`cpus:4;mem:8192;ports(web):[31000-32000];zones:{a,b}`) or a
   * JSON array of resources. `defaultRole` applies to resources that name no role.
   * Throws a ResourceParseError naming the offending token.
   */
  static parse(text: string, defaultRole?: string): Resources {
    return Resources.combine(parseEntries(text, defaultRole));
  }

  // Combines entries that may share keys (several `cpus` in one wire list).
  private static combine(entries: readonly Entry[]): Resources {
    const out: Entry[] = [];
    const index = new Map<string, number>();
    for (const entry of entries) {
      if (entry.isEmpty()) continue;
      const at = index.get(entry.key);
      if (at === undefined) {
        index.set(entry.key, out.length);
        out.push(entry);
      } else {
        out[at] = addEntries(out[at]!, entry);
      }
    }
    return new Resources(out, out.length > SCAN_LIMIT ? index : undefined);
  }

  /** `this + other`. */
  add(other: Resources): Resources {
    if (other.entries.length === 0) return this;
    if (this.entries.length === 0) return other;
    const out = this.entries.slice();
    let appended = false;
    for (const entry of other.entries) {
      const at = this.find(entry.key);
      if (at < 0) {
        out.push(entry);
        appended = true;
      } else {
        out[at] = addEntries(out[at]!, entry);
      }
    }
    return new Resources(out, appended ? undefined : this.index);
  }

  /**
   * `this - other`, as Mesos's `Resources::operator-`: each entry of `other` is taken from the
   * matching entry here; an entry left empty or below zero vanishes, and what `this` does not
   * hold is ignored. Subtracting what is not contained is a caller bug; check with `contains`.
   */
  subtract(other: Resources): Resources {
    if (other.entries.length === 0 || this.entries.length === 0) return this;
    const out: (Entry | undefined)[] = this.entries.slice();
    let removed = false;
    for (const entry of other.entries) {
      const at = this.find(entry.key);
      if (at < 0) continue;
      const left = subtractEntries(out[at]!, entry);
      out[at] = left;
      removed ||= left === undefined;
    }
    if (!removed) return new Resources(out as Entry[], this.index);
    return new Resources(out.filter((e): e is Entry => e !== undefined));
  }

  /** True when `this` holds everything in `other` (so `this.subtract(other)` loses nothing of it). */
  contains(other: Resources): boolean {
    for (const entry of other.entries) {
      const at = this.find(entry.key);
      if (at < 0 || !entryContains(this.entries[at]!, entry)) return false;
    }
    return true;
  }

  /** True when both hold exactly the same resources, in any order. */
  equals(other: Resources): boolean {
    if (this === other) return true;
    if (this.entries.length !== other.entries.length) return false;
    for (const entry of other.entries) {
      const at = this.find(entry.key);
      if (at < 0 || !entryEquals(this.entries[at]!, entry)) return false;
    }
    return true;
  }

  // The position of the entry with `key`, or -1.
  private find(key: string): number {
    const entries = this.entries;
    if (entries.length <= SCAN_LIMIT) {
      for (let i = 0; i < entries.length; i++) if (entries[i]!.key === key) return i;
      return -1;
    }
    this.index ??= new Map(entries.map((e, i) => [e.key, i]));
    return this.index.get(key) ?? -1;
  }

  /** True when nothing is held. */
  isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** The number of distinct (uncombinable) entries. */
  get size(): number {
    return this.entries.length;
  }

  /**
   * The total of the scalar resource `name` across all reservations and allocations, e.g.
   * `scalar('cpus')`; 0 when there is none. A shared resource counts once however many copies.
   */
  scalar(name: string): number {
    let milli = 0;
    for (const e of this.entries) if (e.name === name && e.type === 'SCALAR') milli += e.milli;
    return fromMilli(milli);
  }

  /** The union of the intervals of `name` across all entries, sorted and merged; empty when none. */
  ranges(name: string): ValueRange[] {
    let all = NO_RANGES;
    for (const e of this.entries) if (e.name === name && e.type === 'RANGES') all = unionRanges(all, e.ranges);
    return toValueRanges(all);
  }

  /** The union of the items of the set resource `name`, sorted; empty when none. */
  set(name: string): string[] {
    let all = NO_ITEMS;
    for (const e of this.entries) if (e.name === name && e.type === 'SET') all = unionItems(all, e.items);
    return [...all];
  }

  /**
   * Calls `visit` with every scalar entry's name and value in thousandths (exact integers), for
   * code that sums quantities on a hot path without going through floats.
   */
  forEachScalar(visit: (name: string, milli: number) => void): void {
    for (const e of this.entries) if (e.type === 'SCALAR') visit(e.name, e.milli);
  }

  /**
   * These resources with the scalars of each name in `capMilli` cut down, entry by entry in
   * order, so that their total does not exceed the cap (in thousandths); names not in the map
   * and non-scalar entries are kept whole. For quota: offer no more than a role may take.
   */
  capScalars(capMilli: ReadonlyMap<string, number>): Resources {
    const left = new Map(capMilli);
    let changed = false;
    const kept: Entry[] = [];
    for (const e of this.entries) {
      const cap = e.type === 'SCALAR' && !e.meta.shared ? left.get(e.name) : undefined;
      if (cap === undefined) {
        kept.push(e);
        continue;
      }
      const take = Math.max(0, Math.min(cap, e.milli));
      left.set(e.name, cap - take);
      if (take === e.milli) kept.push(e);
      else {
        changed = true;
        if (take > 0) kept.push(new Entry(e.name, e.type, e.meta, take, e.ranges, e.items, e.count));
      }
    }
    return changed ? new Resources(kept) : this;
  }

  /** The distinct names held, in first-seen order. */
  names(): string[] {
    return [...new Set(this.entries.map((e) => e.name))];
  }

  /** The entries whose wire form satisfies `predicate` (which gets a frozen object). */
  filter(predicate: (resource: Readonly<Resource>) => boolean): Resources {
    return this.keep((e) => predicate(e.view()));
  }

  // Filtering never makes two entries combinable, so the kept ones need no re-merge.
  private keep(test: (e: Entry) => boolean): Resources {
    const kept = this.entries.filter(test);
    return kept.length === this.entries.length ? this : new Resources(kept);
  }

  /** The reserved entries; with `role`, only those whose reservation (top of stack) is that role. */
  reserved(role?: string): Resources {
    return this.keep((e) => e.meta.reservations.length > 0 && (role === undefined || e.meta.reservationRole === role));
  }

  /** The unreserved entries (reservation role `*`). */
  unreserved(): Resources {
    return this.keep((e) => e.meta.reservations.length === 0);
  }

  /** What a framework in `role` may be offered: unreserved, or reserved for `role` or an ancestor of it. */
  allocatableTo(role: string): Resources {
    return this.keep((e) => {
      const reservedFor = e.meta.reservationRole;
      return reservedFor === undefined || reservedFor === role || isStrictSubrole(role, reservedFor);
    });
  }

  /** The revocable (oversubscribed) entries. */
  revocable(): Resources {
    return this.keep((e) => e.meta.revocable);
  }

  /** The entries that are not revocable. */
  nonRevocable(): Resources {
    return this.keep((e) => !e.meta.revocable);
  }

  /** The entries allocated to exactly `role`. */
  allocatedTo(role: string): Resources {
    return this.keep((e) => e.meta.allocationRole === role);
  }

  /** Every entry marked as allocated to `role` (Mesos's `allocate(role)`); throws for an invalid role. */
  withAllocation(role: string): Resources {
    const problem = roleNameError(role);
    if (problem) throw new ResourceParseError(problem);
    return this.remeta(role);
  }

  /** Every entry with its allocation cleared (Mesos's `unallocate()`). */
  withoutAllocation(): Resources {
    return this.remeta(undefined);
  }

  // Re-labels the allocation of every entry; entries that differed only by it now combine.
  private remeta(role: string | undefined): Resources {
    if (this.entries.every((e) => e.meta.allocationRole === role)) return this;
    return Resources.combine(this.entries.map((e) => e.withMeta(e.meta.withAllocation(role))));
  }

  /**
   * The wire form: one Resource per entry (a shared resource once per copy), reservations in the
   * `reservations` stack form, scalars as plain numbers with at most three decimals. Fresh objects.
   */
  toJSON(): Resource[] {
    const out: Resource[] = [];
    for (const e of this.entries) for (let i = 0; i < e.count; i++) out.push(e.toResource());
    return out;
  }

  /** The flag syntax (`cpus:4;mem:8192;ports:[31000-32000]`), or JSON when that cannot say it all. */
  toString(): string {
    return formatEntries(this.entries);
  }
}

/** `Resources.parse`: reads the agent flag syntax or a JSON array of resources. */
export function parseResources(text: string, defaultRole?: string): Resources {
  return Resources.parse(text, defaultRole);
}
