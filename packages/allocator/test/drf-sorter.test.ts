import { expect } from 'chai';
import { Quantities } from '../src/quantities.js';
import { DrfSorter } from '../src/sorter/drf-sorter.js';

const q = (record: Record<string, number>): Quantities => Quantities.from(record);

describe('DrfSorter', () => {
  it('reproduces the DRF paper: 9 CPUs and 18 GB, A <1 CPU, 4 GB>, B <3 CPUs, 1 GB> end at 3 and 2 tasks', () => {
    const sorter = new DrfSorter();
    sorter.setTotal(q({ cpus: 9, mem: 18 }));
    sorter.add('A');
    sorter.add('B');
    const demand = { A: q({ cpus: 1, mem: 4 }), B: q({ cpus: 3, mem: 1 }) };
    const free = q({ cpus: 9, mem: 18 });
    const tasks = { A: 0, B: 0 };
    for (;;) {
      let launched = false;
      // Offer to the lowest dominant share first; a client whose task no longer fits is passed.
      sorter.visitInOrder((client) => {
        const task = demand[client as 'A' | 'B'];
        if (!free.contains(task)) return false;
        free.subtract(task);
        sorter.allocated(client, task);
        tasks[client as 'A' | 'B'] += 1;
        launched = true;
        return true;
      });
      if (!launched) break;
    }
    // A holds 3 CPUs and 12 GB (dominant share 12/18 = 2/3); B 6 CPUs and 2 GB (6/9 = 2/3).
    expect(tasks).to.deep.equal({ A: 3, B: 2 });
    expect(sorter.share('A')).to.be.closeTo(2 / 3, 1e-9);
    expect(sorter.share('B')).to.be.closeTo(2 / 3, 1e-9);
  });

  it('orders by dominant share divided by weight', () => {
    const sorter = new DrfSorter();
    sorter.setTotal(q({ cpus: 10, mem: 100 }));
    for (const c of ['a', 'b', 'c']) sorter.add(c);
    sorter.allocated('a', q({ cpus: 4 })); // share 0.4
    sorter.allocated('b', q({ mem: 30 })); // share 0.3
    sorter.allocated('c', q({ cpus: 6 })); // share 0.6, weight 3: 0.2
    sorter.setWeight('c', 3);
    expect(sorter.sort()).to.deep.equal(['c', 'b', 'a']);
  });

  it('breaks ties by name, so the order is deterministic', () => {
    const sorter = new DrfSorter();
    sorter.setTotal(q({ cpus: 1 }));
    for (const c of ['b', 'c', 'a']) sorter.add(c);
    expect(sorter.sort()).to.deep.equal(['a', 'b', 'c']);
  });

  it('shares fairly down a role tree: a subtree is ordered by everything allocated in it', () => {
    const sorter = new DrfSorter();
    sorter.setTotal(q({ cpus: 100 }));
    for (const c of ['eng/backend', 'eng/frontend', 'ops']) sorter.add(c);
    sorter.allocated('eng/backend', q({ cpus: 30 }));
    sorter.allocated('ops', q({ cpus: 20 }));
    // eng's subtree holds 30 > ops's 20, so ops comes first; within eng, frontend (0) first.
    expect(sorter.sort()).to.deep.equal(['ops', 'eng/frontend', 'eng/backend']);
  });

  it('puts a client that is also a parent beside its children', () => {
    const sorter = new DrfSorter();
    sorter.setTotal(q({ cpus: 100 }));
    sorter.add('eng');
    sorter.allocated('eng', q({ cpus: 10 }));
    sorter.add('eng/backend');
    sorter.add('ops');
    sorter.allocated('ops', q({ cpus: 5 }));
    // eng's subtree (10) is after ops (5); inside it, backend (0) before eng itself (10).
    expect(sorter.sort()).to.deep.equal(['ops', 'eng/backend', 'eng']);
    expect(sorter.allocation('eng').value('cpus')).to.equal(10);
  });

  it('leaves deactivated clients out of walks but keeps their allocation', () => {
    const sorter = new DrfSorter();
    sorter.setTotal(q({ cpus: 10 }));
    sorter.add('a');
    sorter.add('b');
    sorter.allocated('a', q({ cpus: 1 }));
    sorter.deactivate('b');
    expect(sorter.sort()).to.deep.equal(['a']);
    sorter.activate('b');
    expect(sorter.sort()).to.deep.equal(['b', 'a']);
    expect(sorter.allocation('a').value('cpus')).to.equal(1);
  });

  it('sees allocation changes made outside a walk in the next walk', () => {
    const sorter = new DrfSorter();
    sorter.setTotal(q({ cpus: 10 }));
    sorter.add('a');
    sorter.add('b');
    expect(sorter.sort()).to.deep.equal(['a', 'b']);
    sorter.allocated('a', q({ cpus: 5 }));
    expect(sorter.sort()).to.deep.equal(['b', 'a']);
    sorter.unallocated('a', q({ cpus: 5 }));
    sorter.allocated('b', q({ cpus: 1 }));
    expect(sorter.sort()).to.deep.equal(['a', 'b']);
  });

  it('forgets a removed client and prunes empty subtrees', () => {
    const sorter = new DrfSorter();
    sorter.setTotal(q({ cpus: 10 }));
    sorter.add('eng/backend');
    sorter.add('ops');
    sorter.remove('eng/backend');
    expect(sorter.sort()).to.deep.equal(['ops']);
    expect(sorter.has('eng/backend')).to.equal(false);
  });
});
