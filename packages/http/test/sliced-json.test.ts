import { expect } from 'chai';
import type { ListPart, StateJsonParts } from '@tessera/master';
import { encodeInSlices, type EncodedJson } from '../src/master-http/sliced-json.js';

const joined = (encoded: EncodedJson): Buffer => Buffer.concat(encoded.chunks);

describe('JSON encoded in slices', () => {
  const items = Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: `task-${i}`, note: 'é✓' }));
  const parts: StateJsonParts = ['{"a":', { items }, ',"empty":', { items: [] }, ',"b":"end"}'];
  const whole = '{"a":' + `[${items.join(',')}]` + ',"empty":[],"b":"end"}';

  it('writes the same UTF-8 bytes as the parts joined, and says how many', async () => {
    const encoded = await encodeInSlices(parts, setImmediate, 100);
    expect(joined(encoded).equals(Buffer.from(whole))).to.equal(true);
    expect(encoded.length).to.equal(Buffer.byteLength(whole));
    expect(JSON.parse(joined(encoded).toString()).a).to.have.length(50);
  });

  it('gives the event loop back between slices of about the slice size', async () => {
    let yields = 0;
    const counting = (fn: () => void): void => { yields += 1; setImmediate(fn); };
    await encodeInSlices(parts, counting, 100);
    // ~1,900 characters in slices of 100: a yield for each full slice.
    expect(yields).to.be.within(Math.floor(whole.length / 150), Math.ceil(whole.length / 100));
  });

  it('writes tasks not yet written, and yields after so many of them', async () => {
    let yields = 0;
    const written = Array.from({ length: 10 }, (_, i) => () => JSON.stringify({ id: `new-${i}` }));
    const encoded = await encodeInSlices(['{"tasks":', { items: written }, '}'], (fn) => { yields += 1; setImmediate(fn); }, 1 << 20, 3);
    expect(JSON.parse(joined(encoded).toString()).tasks.map((t: { id: string }) => t.id)).to.deep.equal(Array.from({ length: 10 }, (_, i) => `new-${i}`));
    expect(yields).to.equal(3);
  });

  it('does not yield for JSON smaller than a slice', async () => {
    let yields = 0;
    const encoded = await encodeInSlices(parts, (fn) => { yields += 1; setImmediate(fn); });
    expect(yields).to.equal(0);
    expect(joined(encoded).toString()).to.equal(whole);
  });

  it('sends bytes written before as they are, and hands a list to keep its own bytes, whole', async () => {
    const before = Buffer.from('[{"id":"old"}]');
    let kept: Buffer | undefined;
    const list: ListPart = { items, keep: (bytes) => { kept = bytes; } };
    const encoded = await encodeInSlices(['{"a":', before, ',"b":', list, '}'], setImmediate, 100);
    const text = `{"a":[{"id":"old"}],"b":[${items.join(',')}]}`;
    expect(joined(encoded).toString()).to.equal(text);
    expect(encoded.chunks).to.include(before);
    expect(kept!.toString()).to.equal(`[${items.join(',')}]`);
    expect(encoded.chunks).to.include(kept);
  });
});
