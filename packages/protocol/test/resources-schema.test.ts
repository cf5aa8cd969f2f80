import AjvModule from 'ajv';
import { expect } from 'chai';
import { ResourceSchema, ResourcesSchema, type Resource } from '../src/index.js';

// ajv ships CommonJS; under NodeNext its default export is the module namespace.
const Ajv = AjvModule.default;
// Default options plus union types, and the strict set the envelope validator uses.
const validateDefault = new Ajv({ allowUnionTypes: true }).compile(ResourcesSchema);
const validateStrict = new Ajv({ allowUnionTypes: true, strict: true }).compile(ResourceSchema);

describe('Resource schema', () => {
  it('accepts the resource of a Mesos v1 OFFERS event, pre-1.4 role and all', () => {
    const fromOffer = {
      name: 'cpus',
      type: 'SCALAR',
      scalar: { value: 2 },
      role: '*',
      allocation_info: { role: 'engineering' },
    };
    expect(validateStrict(fromOffer)).to.equal(true);
  });

  it('accepts ranges, sets and a labelled dynamic reservation stack', () => {
    const list: Resource[] = [
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 32000 }] } },
      { name: 'zones', type: 'SET', set: { item: ['a', 'b'] } },
      {
        name: 'disk',
        type: 'SCALAR',
        scalar: { value: 1024 },
        reservations: [
          { type: 'STATIC', role: 'eng' },
          { type: 'DYNAMIC', role: 'eng/web', principal: 'ops', labels: { labels: [{ key: 'k', value: 'v' }, { key: 'bare' }] } },
        ],
        revocable: {},
        shared: {},
      },
    ];
    expect(validateDefault(list), JSON.stringify(validateDefault.errors)).to.equal(true);
  });

  it('rejects a field the schema does not declare', () => {
    expect(validateStrict({ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, disk: {} })).to.equal(false);
  });

  it('rejects an unknown field nested in a value', () => {
    expect(validateStrict({ name: 'cpus', type: 'SCALAR', scalar: { value: 1, unit: 'cores' } })).to.equal(false);
  });

  it('rejects a type outside SCALAR, RANGES and SET', () => {
    expect(validateStrict({ name: 'os', type: 'TEXT' })).to.equal(false);
  });

  it('rejects a range bound that is negative or fractional', () => {
    expect(validateStrict({ name: 'ports', type: 'RANGES', ranges: { range: [{ begin: -1, end: 3 }] } })).to.equal(false);
    expect(validateStrict({ name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 1.5, end: 3 }] } })).to.equal(false);
  });

  it('rejects a reservation type other than STATIC or DYNAMIC', () => {
    expect(validateStrict({ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, reservations: [{ type: 'UNKNOWN', role: 'r' }] })).to.equal(false);
  });

  it('rejects a resource without a name', () => {
    expect(validateStrict({ type: 'SCALAR', scalar: { value: 1 } })).to.equal(false);
  });
});
