import { expect } from 'chai';
import { RecordIOError, RecordIOReader } from '../src/http/recordio-reader.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const texts = (records: Uint8Array[]): string[] => records.map((r) => new TextDecoder().decode(r));
/** `<byte length>\n<text>` */
const record = (text: string): string => `${bytes(text).length}\n${text}`;

describe('RecordIOReader', () => {
  it('reads several records from one chunk, in order', () => {
    const reader = new RecordIOReader();
    expect(texts(reader.push(bytes(record('{"a":1}') + record('{"b":2}') + record('{}'))))).to.deep.equal(['{"a":1}', '{"b":2}', '{}']);
    expect(reader.midRecord).to.equal(false);
  });

  it('gives the same records however the stream is cut: at every single byte boundary', () => {
    const stream = bytes(record('{"type":"HEARTBEAT"}') + record('{"message":"naïve ✓"}') + record(''));
    for (let cut = 0; cut <= stream.length; cut += 1) {
      const reader = new RecordIOReader();
      const got = [...reader.push(stream.subarray(0, cut)), ...reader.push(stream.subarray(cut))];
      expect(texts(got), `cut at ${cut}`).to.deep.equal(['{"type":"HEARTBEAT"}', '{"message":"naïve ✓"}', '']);
    }
  });

  it('reads a stream fed one byte at a time, a multi-byte character split across chunks', () => {
    const reader = new RecordIOReader();
    const stream = bytes(record('✓✓') + record('x'));
    const got: Uint8Array[] = [];
    for (const byte of stream) got.push(...reader.push(Uint8Array.of(byte)));
    expect(texts(got)).to.deep.equal(['✓✓', 'x']);
  });

  it('knows when the bytes so far end inside a record (a stream cut short)', () => {
    const reader = new RecordIOReader();
    reader.push(bytes('12'));
    expect(reader.midRecord).to.equal(true);
    reader.push(bytes('\n{"a":'));
    expect(reader.midRecord).to.equal(true);
    expect(texts(reader.push(bytes('123456}')))).to.deep.equal(['{"a":123456}']);
    expect(reader.midRecord).to.equal(false);
  });

  it('returns records that stay intact when the network buffer is reused', () => {
    const reader = new RecordIOReader();
    const chunk = bytes(record('abc'));
    const [got] = reader.push(chunk);
    chunk.fill(0);
    expect(texts([got!])).to.deep.equal(['abc']);
  });

  it('refuses a length prefix that is not decimal digits', () => {
    expect(() => new RecordIOReader().push(bytes('1a\n{}'))).to.throw(RecordIOError, /decimal digits/);
    expect(() => new RecordIOReader().push(bytes('\n{}'))).to.throw(RecordIOError, /empty length prefix/);
  });

  it('refuses a prefix of more than 16 digits and a record larger than allowed', () => {
    expect(() => new RecordIOReader().push(bytes('12345678901234567'))).to.throw(RecordIOError, /longer than 16 digits/);
    expect(() => new RecordIOReader(100).push(bytes('101\n'))).to.throw(RecordIOError, /101 bytes is larger than the 100 allowed/);
  });
});
