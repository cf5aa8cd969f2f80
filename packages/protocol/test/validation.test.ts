import { expect } from 'chai';
import { messageCatalog } from '../src/messages/catalog.js';
import { precompileValidators, validateBody, validateEnvelope } from '../src/validation.js';

describe('message validation', () => {
  it('accepts an envelope whose body matches its type', () => {
    const result = validateEnvelope({ type: 'demo.Ping', from: 'a@n', to: 'b@n', id: '1', body: { seq: 1 } });
    expect(result.ok).to.equal(true);
  });

  it('names the field that fails the schema', () => {
    expect(validateBody('demo.Ping', { seq: 1.5 })).to.deep.equal({ ok: false, error: 'invalid demo.Ping: body/seq must be integer' });
  });

  it('refuses fields the schema does not declare', () => {
    expect(validateBody('demo.Ping', { seq: 1, extra: true })).to.deep.equal({ ok: false, error: 'invalid demo.Ping: body must NOT have additional properties' });
  });

  it('refuses an unknown type', () => {
    expect(validateBody('demo.Nope', {})).to.deep.equal({ ok: false, error: "unknown message type 'demo.Nope'" });
  });

  it('refuses an envelope with a missing sender', () => {
    const result = validateEnvelope({ type: 'demo.Ping', to: 'b@n', id: '1', body: { seq: 1 } });
    expect(result).to.deep.equal({ ok: false, error: "malformed envelope: envelope must have required property 'from'" });
  });

  it('compiles every schema in the catalog under ajv strict mode', () => {
    expect(() => precompileValidators()).to.not.throw();
    expect(Object.keys(messageCatalog)).to.include.members(['process.Link', 'process.Exited', 'demo.Ping', 'master.ResourceOffers']);
  });
});
