import { expect } from 'chai';
import fc from 'fast-check';
import { Resources, type ReservationInfo, type Resource, type ValueRange } from '../src/index.js';

// Generators for wire resources. Names have fixed types (as an agent's would), so that any value
// can be written in the flag syntax and read back. Values are drawn from a small universe so
// that generated resources often collide and exercise merging.

/** Where interval bounds and set items come from; two disjoint universes give disjoint values. */
interface Universe {
  portBase: number;
  items: string[];
}
const LEFT: Universe = { portBase: 0, items: ['a', 'b', 'c', 'd', 'e'] };
const RIGHT: Universe = { portBase: 10_000, items: ['v', 'w', 'x', 'y', 'z'] };
const BOTH: Universe = { portBase: 0, items: [...LEFT.items, ...RIGHT.items] };

const reservations: fc.Arbitrary<ReservationInfo[] | undefined> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  fc.constantFrom<ReservationInfo[]>(
    [{ type: 'STATIC', role: 'eng' }],
    [{ type: 'STATIC', role: 'eng/web' }],
    [{ type: 'DYNAMIC', role: 'eng', principal: 'ops' }],
    [{ type: 'DYNAMIC', role: 'eng', labels: { labels: [{ key: 'tier', value: 'gold' }] } }],
    [{ type: 'STATIC', role: 'eng' }, { type: 'DYNAMIC', role: 'eng/web' }],
  ),
);

/** Disjoint, non-adjacent-or-adjacent intervals from a set of points (one resource may not overlap). */
function intervals(points: number[], base: number): ValueRange[] {
  const sorted = [...points].sort((x, y) => x - y);
  const out: ValueRange[] = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last && p === last.end - base + 1 && p % 7 !== 0) last.end = p + base;
    else out.push({ begin: p + base, end: p + base });
  }
  return out;
}

function resource(u: Universe): fc.Arbitrary<Resource> {
  const value: fc.Arbitrary<Pick<Resource, 'name' | 'type' | 'scalar' | 'ranges' | 'set'>> = fc.oneof(
    fc.record({
      name: fc.constantFrom('cpus', 'mem', 'gpus'),
      type: fc.constant('SCALAR' as const),
      scalar: fc.record({ value: fc.integer({ min: 0, max: 5_000_000 }).map((milli) => milli / 1000) }),
    }),
    fc.record({
      name: fc.constant('ports'),
      type: fc.constant('RANGES' as const),
      ranges: fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { maxLength: 25 }).map((points) => ({ range: intervals(points, u.portBase) })),
    }),
    fc.record({
      name: fc.constant('zones'),
      type: fc.constant('SET' as const),
      set: fc.uniqueArray(fc.constantFrom(...u.items), { maxLength: u.items.length }).map((item) => ({ item })),
    }),
  );
  return fc
    .record({
      value,
      reservations,
      allocation: fc.option(fc.constantFrom('eng', 'ops'), { nil: undefined, freq: 4 }),
      revocable: fc.boolean(),
      shared: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    })
    .map(({ value, reservations, allocation, revocable, shared }) => {
      const out: Resource = { ...value };
      if (reservations) out.reservations = reservations;
      if (allocation) out.allocation_info = { role: allocation };
      if (revocable) out.revocable = {};
      if (shared) out.shared = {};
      return out;
    });
}

const resources = (u: Universe = BOTH) => fc.array(resource(u), { maxLength: 8 }).map((list) => Resources.of(list));
/** Only what the flag syntax can say: unreserved or statically reserved, nothing else. */
const flagResources = fc
  .array(resource(BOTH), { maxLength: 8 })
  .map((list) =>
    Resources.of(list.map(({ allocation_info, revocable, shared, reservations, ...rest }) => (reservations?.[0]?.type === 'STATIC' ? { ...rest, reservations: [reservations[0]] } : rest))),
  );

describe('Resources algebra (properties)', () => {
  it('subtract undoes add when the two share no intervals or set items', () => {
    // Intervals and sets add as unions, so (a + b) - b = a only when b's values are not in a;
    // scalars always satisfy it, exactly, because they are integer thousandths.
    fc.assert(fc.property(resources(LEFT), resources(RIGHT), (a, b) => a.add(b).subtract(b).equals(a)));
  });

  it('a sum contains both of its terms', () => {
    fc.assert(fc.property(resources(), resources(), (a, b) => a.add(b).contains(a) && a.add(b).contains(b)));
  });

  it('subtracting what is contained and adding it back restores the value', () => {
    fc.assert(fc.property(resources(), resources(), (a, b) => {
      const whole = a.add(b);
      return whole.subtract(b).add(b).equals(whole);
    }));
  });

  it('subtract never leaves a negative scalar or an empty entry', () => {
    fc.assert(
      fc.property(resources(), resources(), (a, b) =>
        a.subtract(b).toJSON().every((x) => (x.scalar ? x.scalar.value > 0 : x.ranges ? x.ranges.range.length > 0 : (x.set?.item.length ?? 0) > 0)),
      ),
    );
  });

  it('keeps intervals sorted, non-overlapping and non-adjacent after add and subtract', () => {
    fc.assert(
      fc.property(resources(), resources(), resources(), (a, b, c) =>
        a.add(b).subtract(c).toJSON().every((x) => (x.ranges?.range ?? []).every((r, i, all) => r.begin <= r.end && (i === 0 || all[i - 1]!.end + 1 < r.begin))),
      ),
    );
  });

  it('add is commutative', () => {
    fc.assert(fc.property(resources(), resources(), (a, b) => a.add(b).equals(b.add(a))));
  });

  it('add is associative', () => {
    fc.assert(fc.property(resources(), resources(), resources(), (a, b, c) => a.add(b).add(c).equals(a.add(b.add(c)))));
  });

  it('scalar totals add exactly', () => {
    fc.assert(
      fc.property(resources(), resources(), (a, b) => a.add(b).scalar('cpus') === (Math.round(a.scalar('cpus') * 1000) + Math.round(b.scalar('cpus') * 1000)) / 1000),
    );
  });

  it('equals is reflexive', () => {
    fc.assert(fc.property(resources(), (a) => a.equals(a) && a.equals(Resources.of(a.toJSON()))));
  });

  it('equals is symmetric', () => {
    fc.assert(fc.property(resources(), resources(), (a, b) => a.add(b).equals(b) === b.equals(a.add(b)) && a.equals(b) === b.equals(a)));
  });

  it('equals ignores the order of the wire list', () => {
    fc.assert(fc.property(resources(), (a) => a.equals(Resources.of([...a.toJSON()].reverse()))));
  });

  it('equal values contain each other', () => {
    fc.assert(fc.property(resources(), resources(), (a, b) => !a.equals(b) || (a.contains(b) && b.contains(a))));
  });

  it('toJSON and of round-trip', () => {
    fc.assert(fc.property(resources(), (a) => Resources.of(a.toJSON()).equals(a)));
  });

  it('parse(toString(x)) equals x in the flag syntax', () => {
    fc.assert(fc.property(flagResources, (a) => !a.toString().startsWith('[') && Resources.parse(a.toString()).equals(a)));
  });

  it('parse(toString(x)) equals x for any value, through JSON where the flag syntax falls short', () => {
    fc.assert(fc.property(resources(), (a) => Resources.parse(a.toString()).equals(a)));
  });

  it('the whole is the sum of its reserved and unreserved parts', () => {
    fc.assert(fc.property(resources(), (a) => a.reserved().add(a.unreserved()).equals(a)));
  });

  it('an example sum merges the way the properties promise', () => {
    // A concrete anchor for the properties above, read by hand.
    const sum = Resources.parse('cpus:0.1;ports:[1-3];zones:{a}').add(Resources.parse('cpus:0.2;ports:[4-6];zones:{b}'));
    expect(sum.toString()).to.equal('cpus:0.3;ports:[1-6];zones:{a,b}');
  });
});
