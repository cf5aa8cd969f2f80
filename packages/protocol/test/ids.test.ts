import { expect } from 'chai';
import { IdGenerator, generatedId, parseId, uuid } from '../src/ids.js';

/** A deterministic source: counts up. */
const counter = (): { nextUint32(): number } => {
  let n = 0;
  return { nextUint32: () => (n += 0x1234567) >>> 0 };
};

describe('ids', () => {
  it('formats a version 4 UUID', () => {
    expect(uuid(counter())).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('mints framework, agent and offer ids in Mesos\'s format, each with its own sequence', () => {
    const master = uuid(counter());
    const ids = new IdGenerator(master);
    expect([ids.frameworkId(), ids.frameworkId(), ids.agentId(), ids.offerId()]).to.deep.equal([
      `${master}-0000`, `${master}-0001`, `${master}-S0`, `${master}-O0`,
    ]);
  });

  it('reads a minted id back into kind, master and sequence', () => {
    const master = uuid(counter());
    expect(parseId(`${master}-S12`)).to.deep.equal({ kind: 'agent', masterId: master, sequence: 12 });
    expect(parseId(`${master}-0042`)).to.deep.equal({ kind: 'framework', masterId: master, sequence: 42 });
    expect(parseId('not-an-id')).to.equal(undefined);
  });

  it('generates task ids as <prefix>.<uuid> and refuses a prefix with a dot', () => {
    expect(generatedId('web', counter())).to.match(/^web\.[0-9a-f-]{36}$/);
    expect(() => generatedId('a.b', counter())).to.throw(/prefix/);
  });

  it('refuses a master id that is not a UUID', () => {
    expect(() => new IdGenerator('master-1')).to.throw(/UUID/);
  });
});
