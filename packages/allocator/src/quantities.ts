import type { Resources } from '@tessera/protocol';

/**
 * Amounts of scalar resources by name (`cpus`, `mem`, ...), in exact thousandths, as Mesos's
 * ResourceQuantities: what DRF shares, quota and headroom are computed from. Ranges and sets
 * (ports) have no quantity. Mutable, for the allocator's own bookkeeping; zeros are dropped.
 */
export class Quantities {
  private readonly milli = new Map<string, number>();

  /** The scalar totals of `resources`. */
  static of(resources: Resources): Quantities {
    const q = new Quantities();
    resources.forEachScalar((name, milli) => q.addMilli(name, milli));
    return q;
  }

  /** From a `{cpus: 1, mem: 1024}` record of plain numbers. */
  static from(record: Readonly<Record<string, number>>): Quantities {
    const q = new Quantities();
    for (const [name, value] of Object.entries(record)) q.addMilli(name, Math.round(value * 1000));
    return q;
  }

  /** The amount of `name` in thousandths (0 when absent). */
  get(name: string): number {
    return this.milli.get(name) ?? 0;
  }

  /** The amount of `name` as a plain number. */
  value(name: string): number {
    return this.get(name) / 1000;
  }

  addMilli(name: string, milli: number): void {
    const next = (this.milli.get(name) ?? 0) + milli;
    if (next === 0) this.milli.delete(name);
    else this.milli.set(name, next);
  }

  add(other: Quantities): this {
    for (const [name, milli] of other.milli) this.addMilli(name, milli);
    return this;
  }

  subtract(other: Quantities): this {
    for (const [name, milli] of other.milli) this.addMilli(name, -milli);
    return this;
  }

  clone(): Quantities {
    const q = new Quantities();
    for (const [name, milli] of this.milli) q.milli.set(name, milli);
    return q;
  }

  isEmpty(): boolean {
    return this.milli.size === 0;
  }

  /** True when every amount here is at least the one in `other`. */
  contains(other: Quantities): boolean {
    for (const [name, milli] of other.milli) if (this.get(name) < milli) return false;
    return true;
  }

  /** `[name, thousandths]` pairs. */
  entries(): IterableIterator<[string, number]> {
    return this.milli.entries();
  }

  /** Each amount of `this` less `other`'s, floored at zero: what is still missing. */
  shortfall(other: Quantities): Quantities {
    const q = new Quantities();
    for (const [name, milli] of this.milli) {
      const left = milli - other.get(name);
      if (left > 0) q.milli.set(name, left);
    }
    return q;
  }

  /** As a map name -> thousandths, for Resources.capScalars. */
  asMap(): ReadonlyMap<string, number> {
    return this.milli;
  }

  /** `{cpus: 1.5, mem: 1024}`. */
  toRecord(): Record<string, number> {
    return Object.fromEntries([...this.milli].map(([name, milli]) => [name, milli / 1000]));
  }
}

const cache = new WeakMap<Resources, Quantities>();

/**
 * The scalar totals of an immutable Resources value, computed once per value. The result is
 * shared: read it, never change it (clone first).
 */
export function quantitiesOf(resources: Resources): Quantities {
  let q = cache.get(resources);
  if (q === undefined) {
    q = Quantities.of(resources);
    cache.set(resources, q);
  }
  return q;
}
