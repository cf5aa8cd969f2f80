import { expect } from 'chai';
import { Buffer } from 'node:buffer';
import { DecodeError, decodeEnvelope, decodeEnvelopes, encodeEnvelope } from '../src/codec.js';
import type { RawEnvelope } from '../src/envelope.js';

const ping = (seq: number): RawEnvelope => ({ type: 'demo.Ping', from: 'a@n1', to: 'b@n2', id: `x-${seq}`, body: { seq } });

describe('envelope codec', () => {
  it('round-trips an envelope', () => {
    expect(decodeEnvelope(encodeEnvelope(ping(1)))).to.deep.equal(ping(1));
  });

  it('decodes a coalesced frame into its envelopes in order', () => {
    const frame = Buffer.concat([encodeEnvelope(ping(1)), encodeEnvelope(ping(2)), encodeEnvelope(ping(3))]);
    expect(decodeEnvelopes(frame)).to.deep.equal([ping(1), ping(2), ping(3)]);
  });

  it('rejects a whole frame holding garbage, even after a good envelope', () => {
    const frame = Buffer.concat([encodeEnvelope(ping(1)), Buffer.from([0xc1, 0xff])]);
    expect(() => decodeEnvelopes(frame)).to.throw(DecodeError, /non-envelope value/);
  });

  it('rejects a truncated frame', () => {
    const bytes = encodeEnvelope(ping(1));
    expect(() => decodeEnvelopes(bytes.subarray(0, bytes.length - 3))).to.throw(DecodeError, /undecodable message/);
  });
});
