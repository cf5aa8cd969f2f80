import { expect } from 'chai';
import { messageCatalog } from '../src/messages/catalog.js';
import { validators } from '../src/generated/validators.js';
import { validateBody, validateEnvelope } from '../src/validation.js';

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

  it('has a validator, generated at build time under ajv strict mode, for every type in the catalog', () => {
    expect(Object.keys(messageCatalog)).to.include.members(['process.Link', 'process.Exited', 'demo.Ping', 'master.ResourceOffers']);
    for (const type of Object.keys(messageCatalog)) expect(validators[type], type).to.be.a('function');
  });
});
