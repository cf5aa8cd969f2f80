import { expect } from 'chai';
import { ResourceParseError, Resources, parseResources, roleNameError } from '../src/index.js';

const parseError = (text: string): string => {
  try {
    Resources.parse(text);
  } catch (err) {
    if (err instanceof ResourceParseError) return err.message;
    throw err;
  }
  throw new Error(`'${text}' parsed without error`);
};

describe('Resources.parse', () => {
  describe('flag syntax', () => {
    it('reads the scalars, ports and gpus of a typical agent', () => {
      const held = Resources.parse('cpus:4;mem:8192;disk:1000;ports:[31000-32000];gpus:1');
      expect(held.toJSON()).to.deep.equal([
        { name: 'cpus', type: 'SCALAR', scalar: { value: 4 } },
        { name: 'mem', type: 'SCALAR', scalar: { value: 8192 } },
        { name: 'disk', type: 'SCALAR', scalar: { value: 1000 } },
        { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 32000 }] } },
        { name: 'gpus', type: 'SCALAR', scalar: { value: 1 } },
      ]);
    });

    it('reads fractional scalars', () => {
      expect(Resources.parse('cpus:0.5').scalar('cpus')).to.equal(0.5);
    });

    it('reads a role in parentheses as a static reservation', () => {
      expect(Resources.parse('cpus(eng):2').toJSON()[0]?.reservations).to.deep.equal([{ type: 'STATIC', role: 'eng' }]);
    });

    it('reads a hierarchical role', () => {
      expect(Resources.parse('cpus(eng/backend):2').reserved('eng/backend').scalar('cpus')).to.equal(2);
    });

    it("reads '(*)' as unreserved", () => {
      expect(Resources.parse('cpus(*):2').equals(Resources.parse('cpus:2'))).to.equal(true);
    });

    it('reads several intervals, with a role', () => {
      expect(Resources.parse('ports(web):[1-10,20-30]').reserved('web').ranges('ports')).to.deep.equal([
        { begin: 1, end: 10 },
        { begin: 20, end: 30 },
      ]);
    });

    it('merges overlapping intervals given in the flag syntax, as Mesos does', () => {
      expect(Resources.parse('ports:[1-5,3-7]').ranges('ports')).to.deep.equal([{ begin: 1, end: 7 }]);
    });

    it('reads a set', () => {
      expect(Resources.parse('zones:{a,b,c}').set('zones')).to.deep.equal(['a', 'b', 'c']);
    });

    it('ignores spaces and empty tokens', () => {
      expect(Resources.parse(' cpus : 1 ; ; ports:[1-2, 4-5];').toString()).to.equal('cpus:1;ports:[1-2,4-5]');
    });

    it('combines repeated names', () => {
      expect(Resources.parse('cpus:1;cpus:2.5').scalar('cpus')).to.equal(3.5);
    });

    it('reads empty text as no resources', () => {
      expect(Resources.parse('').isEmpty()).to.equal(true);
    });

    it('gives unnamed roles the default role when one is passed', () => {
      expect(Resources.parse('cpus:1;mem(web):2', 'eng').reserved('eng').toString()).to.equal('cpus(eng):1');
    });

    it('is also exported as parseResources', () => {
      expect(parseResources('cpus:1').equals(Resources.parse('cpus:1'))).to.equal(true);
    });
  });

  describe('JSON input', () => {
    it('reads a JSON array of resources', () => {
      const text = '[{"name":"cpus","type":"SCALAR","scalar":{"value":2}},{"name":"ports","type":"RANGES","ranges":{"range":[{"begin":1,"end":5}]}}]';
      expect(Resources.parse(text).equals(Resources.parse('cpus:2;ports:[1-5]'))).to.equal(true);
    });

    it('gives a JSON resource without a role the default role', () => {
      expect(Resources.parse('[{"name":"cpus","type":"SCALAR","scalar":{"value":2}}]', 'eng').reserved('eng').scalar('cpus')).to.equal(2);
    });

    it('rejects malformed JSON', () => {
      expect(parseError('[{"name":')).to.match(/not valid JSON/);
    });

    it('rejects JSON that does not match the schema, naming the path', () => {
      expect(parseError('[{"name":"cpus","type":"SCALAR","scalar":{"value":"2"}}]')).to.match(/\/0\/scalar\/value/);
    });

    it('rejects a JSON resource Mesos would refuse', () => {
      expect(parseError('[{"name":"cpus","type":"SCALAR","scalar":{"value":-1}}]')).to.match(/cpus.*negative/);
    });
  });

  describe('errors', () => {
    // [behaviour, input, the message or a pattern it must match]
    const cases: [string, string, string | RegExp][] = [
      ['rejects a scalar that is not a number', 'cpus:abc', "'abc' is not a number in 'cpus:abc'"],
      ['rejects a negative scalar', 'mem:1;cpus:-1', "negative value '-1' in 'cpus:-1'"],
      ['rejects a non-zero scalar below the precision', 'cpus:0.0001', /precision.*'cpus:0.0001'/],
      ['rejects an inverted range', 'ports:[5-3]', "range '5-3' has begin > end in 'ports:[5-3]'"],
      ['rejects a malformed range', 'ports:[1-2-3]', "bad range '1-2-3' in 'ports:[1-2-3]'"],
      ['rejects an unclosed bracket', 'ports:[1-3', "unbalanced brackets in 'ports:[1-3'"],
      ['rejects an unopened brace', 'zones:a,b}', "unbalanced brackets in 'zones:a,b}'"],
      ['rejects an unclosed parenthesis', 'cpus(eng:1', "unbalanced parentheses in 'cpus(eng:1'"],
      ['rejects text after the role', 'cpus(eng)x:1', "unexpected 'x' after the role in 'cpus(eng)x:1'"],
      ['rejects an empty name', 'cpus:1;:2', "empty resource name in ':2'"],
      ['rejects a token without a colon', 'cpus', "missing ':' in 'cpus'"],
      ['rejects a token with two colons', 'cpus:1:2', "extra ':' in 'cpus:1:2'"],
      ['rejects an empty value', 'cpus:', "empty value in 'cpus:'"],
      ['rejects a bad role name', 'cpus(-eng):1', /^bad role: .*'-eng'.* in 'cpus\(-eng\):1'$/],
      ['rejects an empty role', 'cpus():1', /^bad role: .*empty.* in 'cpus\(\):1'$/],
      ['rejects a set item given twice', 'zones:{a,a}', /'a' appears twice in 'zones:\{a,a\}'$/],
      ['rejects an empty set item', 'zones:{a,,b}', "empty set item in 'zones:{a,,b}'"],
      ['rejects one name given with two types', 'ports:1;ports:[1-2]', "resource 'ports' is given as both SCALAR and RANGES"],
    ];
    for (const [behaviour, input, expected] of cases) {
      it(behaviour, () => {
        if (typeof expected === 'string') expect(parseError(input)).to.equal(expected);
        else expect(parseError(input)).to.match(expected);
      });
    }

    it('rejects an invalid default role', () => {
      expect(() => Resources.parse('cpus:1', 'a b')).to.throw(ResourceParseError, /default role/);
    });
  });

  describe('role names', () => {
    const valid = ['*', 'eng', 'eng/backend', 'a.b', 'x-y', 'a*'];
    const invalid = ['', '.', '..', '-eng', 'eng/-x', 'a b', 'tab\there', '/eng', 'eng/', 'eng//web', 'eng/*', '*/eng', 'eng/..', 'a\x7f'];

    it('accepts the names Mesos accepts', () => {
      expect(valid.filter((role) => roleNameError(role) !== undefined)).to.deep.equal([]);
    });

    it('rejects the names Mesos rejects', () => {
      expect(invalid.filter((role) => roleNameError(role) === undefined)).to.deep.equal([]);
    });
  });

  describe('toString', () => {
    it('writes the flag syntax', () => {
      expect(Resources.parse('cpus:4;mem(eng):1.5;ports:[1-3,4-6,9-9];zones:{b,a}').toString()).to.equal(
        'cpus:4;mem(eng):1.5;ports:[1-6,9-9];zones:{a,b}',
      );
    });

    it('writes JSON when the flag syntax cannot express an entry, and reads it back', () => {
      const allocated = Resources.parse('cpus:1;mem(eng):2').withAllocation('eng');
      const text = allocated.toString();
      expect([text.startsWith('[{'), Resources.parse(text).equals(allocated)]).to.deep.equal([true, true]);
    });
  });
});
