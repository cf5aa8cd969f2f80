import { expect } from 'chai';
import { encodeInSlices } from '../src/master-http/sliced-json.js';

describe('JSON encoded in slices', () => {
  const parts = ['{"a":', Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: `task-${i}`, note: 'é✓' })), ',"empty":', [], ',"b":"end"}'];
  const whole = '{"a":' + `[${(parts[1] as string[]).join(',')}]` + ',"empty":[],"b":"end"}';

  it('writes the same UTF-8 bytes as the parts joined', async () => {
    const bytes = await encodeInSlices(parts, setImmediate, 100);
    expect(bytes.equals(Buffer.from(whole))).to.equal(true);
    expect(JSON.parse(bytes.toString()).a).to.have.length(50);
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
    const bytes = await encodeInSlices(['{"tasks":', written, '}'], (fn) => { yields += 1; setImmediate(fn); }, 1 << 20, 3);
    expect(JSON.parse(bytes.toString()).tasks.map((t: { id: string }) => t.id)).to.deep.equal(Array.from({ length: 10 }, (_, i) => `new-${i}`));
    expect(yields).to.equal(3);
  });

  it('does not yield for JSON smaller than a slice', async () => {
    let yields = 0;
    const bytes = await encodeInSlices(parts, (fn) => { yields += 1; setImmediate(fn); });
    expect(yields).to.equal(0);
    expect(bytes.toString()).to.equal(whole);
  });
});
