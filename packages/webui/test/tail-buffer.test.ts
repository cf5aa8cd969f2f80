import { expect } from 'chai';
import { FIRST_READ_BYTES, TailBuffer } from '@tessera/webui/core/tail-buffer.js';

describe('tail buffer', () => {
  it('starts at the file end minus the first read, or at 0 for a small file', () => {
    expect(new TailBuffer().start(10)).to.equal(0);
    expect(new TailBuffer().start(FIRST_READ_BYTES + 5)).to.equal(5);
  });

  it('appends reads in order and advances by bytes, not characters', () => {
    const tail = new TailBuffer();
    tail.start(0);
    expect(tail.append({ offset: 0, data: 'hé\n' })).to.equal(true);
    expect(tail.offset).to.equal(4);
    expect(tail.append({ offset: 4, data: 'lo' })).to.equal(true);
    expect(tail.text).to.equal('hé\nlo');
  });

  it('ignores an empty read and a read for another offset', () => {
    const tail = new TailBuffer();
    tail.start(0);
    tail.append({ offset: 0, data: 'abc' });
    expect(tail.append({ offset: 3, data: '' })).to.equal(false);
    expect(tail.append({ offset: 0, data: 'abc' })).to.equal(false);
    expect(tail.text).to.equal('abc');
  });

  it('keeps only the last maxChars characters', () => {
    const tail = new TailBuffer(4);
    tail.start(0);
    tail.append({ offset: 0, data: 'abcdef' });
    expect(tail.text).to.equal('cdef');
    expect(tail.offset).to.equal(6);
  });
});
