import { expect } from 'chai';
import fc from 'fast-check';
import { Resources, type Resource, type ValueRange } from '../src/index.js';

// Model-based properties: for one resource name with no metadata, compare each operation against
// the plainest possible model (a set of integers for intervals, a set of strings for items,
// integer thousandths for scalars, a copy count for shared resources). Where the algebra
// properties check that results are consistent with each other, these check they are right.

const points = fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 30 });
const items = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { maxLength: 6 });
const milli = fc.integer({ min: 0, max: 100_000 });

/** One-point intervals, so a resource never holds overlapping ones; `of` then merges them. */
function ports(values: number[]): Resources {
  const range: ValueRange[] = values.map((v) => ({ begin: v, end: v }));
  return Resources.of([{ name: 'ports', type: 'RANGES', ranges: { range } }]);
}

/** The integers the `ports` intervals hold, ascending. */
function portValues(held: Resources): number[] {
  return held.ranges('ports').flatMap(({ begin, end }) => Array.from({ length: end - begin + 1 }, (_, i) => begin + i));
}

const zones = (item: string[]) => Resources.of([{ name: 'zones', type: 'SET', set: { item } }]);
const cpus = (m: number) => Resources.of([{ name: 'cpus', type: 'SCALAR', scalar: { value: m / 1000 } }]);
const ascending = (values: Iterable<number>) => [...values].sort((x, y) => x - y);

describe('Resources against a model (properties)', () => {
  it('adds intervals as a union of integers', () => {
    fc.assert(fc.property(points, points, (p, q) => {
      expect(portValues(ports(p).add(ports(q)))).to.deep.equal(ascending(new Set([...p, ...q])));
    }));
  });

  it('subtracts intervals as a difference of integers', () => {
    fc.assert(fc.property(points, points, (p, q) => {
      expect(portValues(ports(p).subtract(ports(q)))).to.deep.equal(ascending(p.filter((v) => !q.includes(v))));
    }));
  });

  it('says intervals contain others exactly when the integers are a subset', () => {
    fc.assert(fc.property(points, points, (p, q) => ports(p).contains(ports(q)) === q.every((v) => p.includes(v))));
  });

  it('adds sets as a union of strings', () => {
    fc.assert(fc.property(items, items, (x, y) => {
      expect(zones(x).add(zones(y)).set('zones')).to.deep.equal([...new Set([...x, ...y])].sort());
    }));
  });

  it('subtracts sets as a difference of strings', () => {
    fc.assert(fc.property(items, items, (x, y) => {
      expect(zones(x).subtract(zones(y)).set('zones')).to.deep.equal(x.filter((i) => !y.includes(i)).sort());
    }));
  });

  it('says a set contains another exactly when it is a superset', () => {
    fc.assert(fc.property(items, items, (x, y) => zones(x).contains(zones(y)) === y.every((i) => x.includes(i))));
  });

  it('adds scalars as integer thousandths', () => {
    fc.assert(fc.property(milli, milli, (a, b) => cpus(a).add(cpus(b)).scalar('cpus') === (a + b) / 1000));
  });

  it('subtracts scalars as integer thousandths, flooring at nothing', () => {
    fc.assert(fc.property(milli, milli, (a, b) => cpus(a).subtract(cpus(b)).scalar('cpus') === Math.max(a - b, 0) / 1000));
  });

  it('says a scalar contains another exactly when it is at least as large', () => {
    fc.assert(fc.property(milli, milli, (a, b) => cpus(a).contains(cpus(b)) === (b === 0 || a >= b)));
  });

  describe('shared resources, as a multiset of copies', () => {
    const volume: Resource = { name: 'disk', type: 'SCALAR', scalar: { value: 64 }, shared: {} };
    const copies = (n: number) => Resources.of(Array.from({ length: n }, () => volume));

    it('add sums the copies', () => {
      fc.assert(fc.property(fc.nat(5), fc.nat(5), (n, m) => copies(n).add(copies(m)).toJSON().length === n + m));
    });

    it('subtract removes copies, flooring at none', () => {
      fc.assert(fc.property(fc.nat(5), fc.nat(5), (n, m) => copies(n).subtract(copies(m)).toJSON().length === Math.max(n - m, 0)));
    });

    it('contains compares the counts', () => {
      fc.assert(fc.property(fc.nat(5), fc.nat(5), (n, m) => copies(n).contains(copies(m)) === n >= m));
    });
  });
});
