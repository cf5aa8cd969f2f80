import { Type } from '@sinclair/typebox';
import { expect } from 'chai';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { DecodeError, WIRE_VERSION, decodeEnvelope, encodeEnvelope } from '../src/codec.js';
import type { RawEnvelope } from '../src/envelope.js';
import { Resources } from '../src/resources/index.js';
import { validateEnvelope } from '../src/validation.js';
import { wireShape } from '../src/wire-shape.js';

const offer = (resources: unknown[]): RawEnvelope => ({
  type: 'master.ResourceOffers',
  from: 'master@m1',
  to: 'scheduler@f1',
  id: 'x-1',
  body: { offers: [{ id: { value: 'o1' }, framework_id: { value: 'f1' }, agent_id: { value: 'a1' }, hostname: 'h1', resources }] },
});

describe('wire shapes', () => {
  it('sends an object as an array in schema order, with absent optionals as nil and trailing ones cut', () => {
    const shape = wireShape(Type.Object({ a: Type.String(), b: Type.Optional(Type.Integer()), c: Type.Optional(Type.String()) }, { additionalProperties: false }));
    expect(shape.pack({ a: 'x', c: 'z' })).to.deep.equal(['x', null, 'z']);
    expect(shape.pack({ a: 'x' })).to.deep.equal(['x']);
    expect(shape.unpack(['x', null, 'z'])).to.deep.equal({ a: 'x', c: 'z' });
  });

  it('leaves what does not fit unchanged, for validation to reject', () => {
    const shape = wireShape(Type.Object({ a: Type.String() }, { additionalProperties: false }));
    expect(shape.pack({ a: 'x', extra: 1 })).to.deep.equal({ a: 'x', extra: 1 });
    expect(shape.unpack(['x', 'too many'])).to.deep.equal(['x', 'too many']);
    expect(shape.unpack('not an array')).to.equal('not an array');
  });

  it('refuses a schema with null, which would be ambiguous on the wire', () => {
    expect(() => wireShape(Type.Object({ a: Type.Null() }, { additionalProperties: false }))).to.throw(/may not use null/);
  });

  it('carries a realistic offer without property names, at about half the size of a map', () => {
    const message = offer([{ name: 'cpus', type: 'SCALAR', scalar: { value: 2.5 }, allocation_info: { role: 'web' } }]);
    const bytes = encodeEnvelope(message);
    const asMaps = new Packr({ useRecords: false }).pack(message);
    expect(decodeEnvelope(bytes)).to.deep.equal(message);
    expect(bytes.length).to.be.below(asMaps.length * 0.7);
  });

  it('round-trips any valid resources inside an offer exactly', () => {
    const scalar = fc.record({ name: fc.constantFrom('cpus', 'mem', 'disk'), value: fc.integer({ min: 1, max: 1_000_000 }).map((v) => v / 1000) });
    const role = fc.constantFrom(undefined, 'web', 'eng/backend');
    fc.assert(fc.property(fc.array(fc.tuple(scalar, role), { maxLength: 6 }), (entries) => {
      const resources = Resources.of(entries.map(([s, r]) => ({
        name: s.name, type: 'SCALAR' as const, scalar: { value: s.value },
        ...(r === undefined ? {} : { reservations: [{ type: 'STATIC' as const, role: r }] }),
      }))).toJSON();
      const message = offer(resources);
      const back = decodeEnvelope(encodeEnvelope(message));
      expect(back).to.deep.equal(message);
      expect(validateEnvelope(back).ok).to.equal(true);
    }));
  });

  it('delivers an unknown property as such, so the receiver rejects it by name', () => {
    const message = offer([{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, color: 'red' }]);
    const checked = validateEnvelope(decodeEnvelope(encodeEnvelope(message)));
    expect(checked).to.deep.equal({ ok: false, error: 'invalid master.ResourceOffers: body/offers/0/resources/0 must NOT have additional properties' });
  });

  it('refuses bytes of another wire version with a clear error', () => {
    const bytes = new Packr({ useRecords: false }).pack([WIRE_VERSION + 1, 'demo.Ping', 'a@n', 'b@n', '1', null, null, [1]]);
    expect(() => decodeEnvelope(bytes)).to.throw(DecodeError, `wire version ${WIRE_VERSION + 1}, this node speaks ${WIRE_VERSION}`);
  });
});
