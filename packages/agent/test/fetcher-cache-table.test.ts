import { expect } from 'chai';
import { CacheTable } from '../src/fetcher/cache-table.js';

describe('fetcher cache table', () => {
  it('admits files while they fit, and evicts the least recently used to make room', () => {
    const table = new CacheTable(250);
    const a = table.create('a', 'a.txt');
    expect(table.admit(a, 100)).to.deep.equal({ ok: true, victims: [] });
    const b = table.create('b', 'b.txt');
    expect(table.admit(b, 100)).to.deep.equal({ ok: true, victims: [] });
    // a is used again, so b is now the least recently used.
    table.get('a');
    const c = table.create('c', 'c.txt');
    const admission = table.admit(c, 100);
    expect(admission).to.deep.equal({ ok: true, victims: [b] });
    expect(table.get('b')).to.equal(undefined);
    // 100 (a) + 100 (c)
    expect(table.used).to.equal(200);
    expect(table.count).to.equal(2);
  });

  it('never evicts an entry in use', () => {
    const table = new CacheTable(150);
    const a = table.create('a', 'a');
    table.admit(a, 100);
    a.references = 1;
    const b = table.create('b', 'b');
    const admission = table.admit(b, 100);
    expect(admission.ok).to.equal(false);
    // b is forgotten (it serves its fetch and goes); a stays.
    expect(table.get('b')).to.equal(undefined);
    expect(table.get('a')).to.equal(a);
    expect(table.used).to.equal(100);
  });

  it('does not keep a file bigger than the whole cache, and evicts nothing for it', () => {
    const table = new CacheTable(100);
    const a = table.create('a', 'a');
    table.admit(a, 60);
    const big = table.create('big', 'big');
    const admission = table.admit(big, 101);
    expect(admission).to.deep.include({ ok: false });
    expect(table.get('a')).to.equal(a);
    expect(table.count).to.equal(1);
  });

  it('names cache files uniquely, keeping the ending of long names for extraction', () => {
    const table = new CacheTable(100);
    expect(table.create('x', 'tool.tar.gz').filename).to.equal('c1-tool.tar.gz');
    expect(table.create('y', 'a-very-long-archive-name-1.2.3.tar.gz').filename).to.equal('c2-a-very-lon_2.3.tar.gz');
  });

  it('refuses a negative or fractional capacity', () => {
    expect(() => new CacheTable(-1)).to.throw(/whole number of bytes >= 0, got -1/);
    expect(() => new CacheTable(1.5)).to.throw(/got 1.5/);
  });
});
