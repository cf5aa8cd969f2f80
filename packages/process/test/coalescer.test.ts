import { expect } from 'chai';
import { Coalescer } from '../src/coalescer.js';

const bytes = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill);

describe('Coalescer', () => {
  it('publishes what one turn of the event loop sent to a subject as one frame, in order', async () => {
    const published: { subject: string; frame: number[] }[] = [];
    const c = new Coalescer((subject, frame) => published.push({ subject, frame: [...frame] }), () => {});
    c.add('n1', 's.a', bytes(1, 1));
    c.add('n2', 's.b', bytes(1, 9));
    await Promise.resolve();
    c.add('n1', 's.a', bytes(2, 2));
    expect(published, 'nothing goes out before the turn ends').to.deep.equal([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(published).to.deep.equal([{ subject: 's.a', frame: [1, 2, 2] }, { subject: 's.b', frame: [9] }]);
  });

  it('neither resends nor jams when a publish throws', () => {
    const published: string[] = [];
    const failures: string[] = [];
    let failOn = 's.b';
    const c = new Coalescer((subject) => {
      if (subject === failOn) throw new Error('closed');
      published.push(subject);
    }, (subject, messages, error) => failures.push(`${subject} ${messages} ${error.message}`));
    c.add('n1', 's.a', bytes(1));
    c.add('n2', 's.b', bytes(1));
    c.add('n2', 's.b', bytes(1));
    c.flush();
    failOn = '';
    c.add('n3', 's.c', bytes(1));
    c.flush();
    expect(published).to.deep.equal(['s.a', 's.c']);
    expect(failures).to.deep.equal(['s.b 2 closed']);
  });

  it('keeps each frame within the frame limit', () => {
    const sizes: number[] = [];
    const c = new Coalescer((_subject, frame) => sizes.push(frame.length), () => {});
    for (let i = 0; i < 5; i += 1) c.add('n1', 's.a', bytes(100_000));
    c.flush();
    expect(sizes).to.deep.equal([200_000, 200_000, 100_000]);
  });

  it('sends what one turn sent to several processes of a node as one frame on the node subject', async () => {
    const published: { subject: string; frame: number[] }[] = [];
    const c = new Coalescer((subject, frame) => published.push({ subject, frame: [...frame] }), () => {}, (node) => `${node}.@`);
    c.add('n1', 'n1.a', bytes(1, 1));
    c.add('n1', 'n1.b', bytes(1, 2));
    c.add('n2', 'n2.a', bytes(1, 3));
    c.add('n1', 'n1.a', bytes(1, 4));
    await new Promise((resolve) => setImmediate(resolve));
    expect(published).to.deep.equal([{ subject: 'n1.@', frame: [1, 2, 4] }, { subject: 'n2.a', frame: [3] }]);
  });
});
