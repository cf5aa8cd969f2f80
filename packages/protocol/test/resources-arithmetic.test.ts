import { expect } from 'chai';
import { ResourceParseError, Resources, resourceError, resourceNames, type Resource } from '../src/index.js';

const cpus = (value: number): Resource => ({ name: 'cpus', type: 'SCALAR', scalar: { value } });
const ports = (...pairs: [number, number][]): Resource => ({
  name: 'ports',
  type: 'RANGES',
  ranges: { range: pairs.map(([begin, end]) => ({ begin, end })) },
});
const zones = (...item: string[]): Resource => ({ name: 'zones', type: 'SET', set: { item } });
const r = (text: string) => Resources.parse(text);

describe('Resources arithmetic', () => {
  describe('scalars', () => {
    it('adds 0.1 and 0.2 to exactly 0.3', () => {
      expect(Resources.of([cpus(0.1)]).add(Resources.of([cpus(0.2)])).scalar('cpus')).to.equal(0.3);
    });

    it('keeps three decimal places, rounding the fourth away', () => {
      expect(Resources.of([cpus(1.5123)]).scalar('cpus')).to.equal(1.512);
    });

    it('gives back exactly zero after adding and removing 0.001 ten thousand times', () => {
      let total = Resources.of([cpus(4)]);
      const grain = Resources.of([cpus(0.001)]);
      for (let i = 0; i < 10_000; i++) total = total.add(grain);
      for (let i = 0; i < 10_000; i++) total = total.subtract(grain);
      expect(total.equals(Resources.of([cpus(4)]))).to.equal(true);
    });

    it('sums a scalar across reservations and allocations', () => {
      expect(r('cpus:1;cpus(eng):2;cpus(web):0.5').withAllocation('eng').scalar('cpus')).to.equal(3.5);
    });

    it('reports 0 for a scalar that is not there', () => {
      expect(r('mem:10').scalar('cpus')).to.equal(0);
    });

    it('writes scalars on the wire as plain numbers', () => {
      expect(Resources.of([cpus(0.1), cpus(0.2)]).toJSON()).to.deep.equal([cpus(0.3)]);
    });
  });

  describe('subtract', () => {
    it('drops an entry that reaches zero', () => {
      expect(r('cpus:2;mem:10').subtract(r('cpus:2')).toJSON().map((x) => x.name)).to.deep.equal(['mem']);
    });

    it('drops an entry that would go negative instead of keeping a negative value', () => {
      expect(r('cpus:1;mem:10').subtract(r('cpus:3')).scalar('cpus')).to.equal(0);
    });

    it('ignores what it does not hold', () => {
      expect(r('cpus:1').subtract(r('mem:5;cpus(eng):1')).equals(r('cpus:1'))).to.equal(true);
    });

    it('splits an interval it punches a hole in', () => {
      expect(r('ports:[1-10]').subtract(r('ports:[4-5]')).ranges('ports')).to.deep.equal([
        { begin: 1, end: 3 },
        { begin: 6, end: 10 },
      ]);
    });

    it('removes set items', () => {
      expect(r('zones:{a,b,c}').subtract(r('zones:{b,x}')).toString()).to.equal('zones:{a,c}');
    });

    it('removes a ranges entry whose intervals are all taken', () => {
      expect(r('ports:[1-5]').subtract(r('ports:[0-9]')).isEmpty()).to.equal(true);
    });
  });

  describe('ranges', () => {
    it('merges adjacent intervals: [1-3] + [4-6] = [1-6]', () => {
      expect(Resources.of([ports([1, 3])]).add(Resources.of([ports([4, 6])])).toJSON()).to.deep.equal([ports([1, 6])]);
    });

    it('keeps intervals sorted and merges overlaps on add', () => {
      expect(r('ports:[20-30,1-2]').add(r('ports:[25-40,5-6]')).ranges('ports')).to.deep.equal([
        { begin: 1, end: 2 },
        { begin: 5, end: 6 },
        { begin: 20, end: 40 },
      ]);
    });

    it('unions intervals across reservations in ranges(name)', () => {
      expect(r('ports:[1-3];ports(eng):[4-4]').ranges('ports')).to.deep.equal([{ begin: 1, end: 4 }]);
    });

    it('contains a sub-interval but not one that straddles a gap', () => {
      const held = r('ports:[1-3,5-9]');
      expect([held.contains(r('ports:[6-8]')), held.contains(r('ports:[3-5]'))]).to.deep.equal([true, false]);
    });
  });

  describe('sets', () => {
    it('adds as a union of items', () => {
      expect(Resources.of([zones('b', 'a')]).add(Resources.of([zones('c', 'a')])).set('zones')).to.deep.equal(['a', 'b', 'c']);
    });

    it('contains a subset only', () => {
      const held = r('zones:{a,b}');
      expect([held.contains(r('zones:{a}')), held.contains(r('zones:{a,c}'))]).to.deep.equal([true, false]);
    });
  });

  describe('of', () => {
    it('combines entries with the same name and metadata', () => {
      expect(Resources.of([cpus(1), cpus(2)]).size).to.equal(1);
    });

    it('drops zero-valued resources', () => {
      expect(Resources.of([cpus(0), ports(), zones()]).isEmpty()).to.equal(true);
    });

    it('rejects a negative scalar', () => {
      expect(() => Resources.of([cpus(-1)])).to.throw(ResourceParseError, /cpus.*negative/);
    });

    it('rejects overlapping intervals within one resource, as Mesos does', () => {
      expect(() => Resources.of([ports([1, 5], [3, 7])])).to.throw(ResourceParseError, /overlap/);
    });

    it('rejects a set that names an item twice', () => {
      expect(() => Resources.of([zones('a', 'a')])).to.throw(ResourceParseError, /'a' appears twice/);
    });

    it('rejects a value that does not match the type', () => {
      expect(() => Resources.of([{ name: 'cpus', type: 'RANGES', scalar: { value: 1 } }])).to.throw(ResourceParseError, /RANGES/);
    });
  });

  it('compares equal regardless of entry order', () => {
    expect(r('cpus:1;mem:2;ports:[1-2]').equals(r('ports:[1-2];mem:2;cpus:1'))).to.equal(true);
  });

  it('is not equal when one value differs', () => {
    expect(r('cpus:1;mem:2').equals(r('cpus:1;mem:2.001'))).to.equal(false);
  });

  it('leaves its operands unchanged', () => {
    const a = r('cpus:1;ports:[1-5]');
    a.add(r('cpus:1;ports:[6-9]')).subtract(r('ports:[2-3]'));
    expect(a.toString()).to.equal('cpus:1;ports:[1-5]');
  });

  it('explains an invalid resource without throwing via resourceError', () => {
    expect([resourceError(cpus(1)), resourceError(cpus(-2))]).to.deep.equal([undefined, "invalid resource 'cpus': scalar -2 is negative"]);
  });

  it('lists the well-known resource names', () => {
    expect(resourceNames).to.deep.equal(['cpus', 'mem', 'disk', 'gpus', 'ports']);
  });

  describe('shared resources', () => {
    const volume: Resource = { name: 'disk', type: 'SCALAR', scalar: { value: 100 }, shared: {} };

    it('count copies instead of summing values', () => {
      const two = Resources.of([volume, volume]);
      expect([two.scalar('disk'), two.toJSON().length]).to.deep.equal([100, 2]);
    });

    it('stay until the last copy is subtracted', () => {
      const two = Resources.of([volume, volume]);
      const one = two.subtract(Resources.of([volume]));
      expect([one.isEmpty(), one.subtract(Resources.of([volume])).isEmpty()]).to.deep.equal([false, true]);
    });

    it('do not combine with a shared resource of another value', () => {
      expect(Resources.of([volume, { ...volume, scalar: { value: 50 } }]).size).to.equal(2);
    });
  });
});

describe('Resources quantities for the allocator', () => {
  it('visits each scalar entry in exact thousandths', () => {
    const seen: string[] = [];
    Resources.parse('cpus:1.5;cpus(web):0.25;mem:100;ports:[1-2]').forEachScalar((name, milli) => seen.push(`${name}=${milli}`));
    expect(seen).to.have.members(['cpus=1500', 'cpus=250', 'mem=100000']);
  });

  it('caps scalars entry by entry and keeps what is not capped', () => {
    const r = Resources.parse('cpus:2;mem:1024;ports:[1-10]');
    const capped = r.capScalars(new Map([['cpus', 500]]));
    expect(capped.scalar('cpus')).to.equal(0.5);
    expect(capped.scalar('mem')).to.equal(1024);
    expect(capped.ranges('ports')).to.deep.equal([{ begin: 1, end: 10 }]);
    expect(r.capScalars(new Map([['cpus', 0]])).scalar('cpus')).to.equal(0);
    expect(r.capScalars(new Map([['cpus', 5000]]))).to.equal(r);
  });
});
