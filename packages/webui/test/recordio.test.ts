import { expect } from 'chai';
import { RecordIODecoder, RecordIOError } from '@tessera/webui/core/recordio.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** `<byte length>\n<json>` as the master frames one event. */
function frame(json: string): string {
  return `${bytes(json).length}\n${json}`;
}

describe('RecordIO decoder', () => {
  it('reads several records out of one chunk', () => {
    const decoder = new RecordIODecoder();
    expect(decoder.push(bytes(frame('{"type":"HEARTBEAT"}') + frame('{"a":1}')))).to.deep.equal(['{"type":"HEARTBEAT"}', '{"a":1}']);
    expect(decoder.pending).to.equal(0);
  });

  it('joins a record cut at every possible byte, including inside the length', () => {
    const stream = bytes(frame('{"type":"SUBSCRIBED","n":12345}') + frame('{"b":2}'));
    for (let cut = 1; cut < stream.length; cut++) {
      const decoder = new RecordIODecoder();
      const records = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))];
      expect(records, `cut at ${cut}`).to.deep.equal(['{"type":"SUBSCRIBED","n":12345}', '{"b":2}']);
    }
  });

  it('counts the length in bytes, so a multi-byte character split across chunks survives', () => {
    const json = '{"name":"tâche-é"}';
    const stream = bytes(frame(json));
    const decoder = new RecordIODecoder();
    const middleOfE = stream.length - 3; // inside the two bytes of the last 'é'
    expect(decoder.push(stream.subarray(0, middleOfE))).to.deep.equal([]);
    expect(decoder.push(stream.subarray(middleOfE))).to.deep.equal([json]);
  });

  it('holds back an incomplete record and says how much is pending', () => {
    const decoder = new RecordIODecoder();
    expect(decoder.push(bytes('10\n{"a":'))).to.deep.equal([]);
    expect(decoder.pending).to.equal(8);
  });

  it('answers records as bytes with pushBytes, for protobuf streams (any byte, newlines included)', () => {
    const binary = Uint8Array.from([0x08, 0x0a, 0xff, 0x00, 0x0a]);
    const stream = new Uint8Array([...bytes('5\n'), ...binary, ...bytes('2\n{}')]);
    const decoder = new RecordIODecoder();
    const records = [...decoder.pushBytes(stream.subarray(0, 4)), ...decoder.pushBytes(stream.subarray(4))];
    expect(records.map((r) => [...r])).to.deep.equal([[...binary], [...bytes('{}')]]);
  });

  it('reads an empty record', () => {
    expect(new RecordIODecoder().push(bytes('0\n'))).to.deep.equal(['']);
  });

  it('refuses a length that is not decimal digits', () => {
    expect(() => new RecordIODecoder().push(bytes('x1\n{}'))).to.throw(RecordIOError, /decimal digits/);
  });

  it('refuses a length prefix that never ends', () => {
    expect(() => new RecordIODecoder().push(bytes('12345678901234567890'))).to.throw(RecordIOError, /longer than 16/);
  });
});
