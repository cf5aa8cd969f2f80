import { expect } from 'chai';
import { AttributeParseError, parseAttributes } from '../src/attributes.js';
import { agentResources, detectedResources } from '../src/resources-detection.js';

const GB = 1024;

describe('resource detection', () => {
  it('keeps 1 GB of memory and 5 GB of disk for the system on a big machine', () => {
    const found = detectedResources({ cpus: 8, memoryMB: 16 * GB, diskMB: 100 * GB });
    expect(found).to.deep.equal([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 8 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 15 * GB } },
      { name: 'disk', type: 'SCALAR', scalar: { value: 95 * GB } },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31_000, end: 32_000 }] } },
    ]);
  });

  it('offers half the memory under 2 GB and half the disk under 10 GB', () => {
    const found = detectedResources({ cpus: 1, memoryMB: 1_500, diskMB: 8 * GB });
    expect(found.find((r) => r.name === 'mem')!.scalar!.value).to.equal(750);
    expect(found.find((r) => r.name === 'disk')!.scalar!.value).to.equal(4 * GB);
  });

  it('lets --resources replace detected resources of the same name, in any role', () => {
    const total = agentResources('cpus(web):2;mem:512;gpus:1', { cpus: 8, memoryMB: 16 * GB, diskMB: 100 * GB });
    // cpus named (reserved for web): no unreserved cpus are detected.
    expect(total.scalar('cpus')).to.equal(2);
    expect(total.reserved('web').scalar('cpus')).to.equal(2);
    expect(total.scalar('mem')).to.equal(512);
    expect(total.scalar('gpus')).to.equal(1);
    expect(total.scalar('disk')).to.equal(95 * GB);
    expect(total.ranges('ports')).to.deep.equal([{ begin: 31_000, end: 32_000 }]);
  });

  it('detects everything when --resources is absent, and refuses bad --resources text', () => {
    expect(agentResources(undefined, { cpus: 2, memoryMB: 4 * GB, diskMB: 20 * GB }).scalar('cpus')).to.equal(2);
    expect(() => agentResources('cpus:two', { cpus: 2, memoryMB: 4 * GB, diskMB: 20 * GB })).to.throw(/not a number/);
  });
});

describe('attribute parsing', () => {
  it('reads text, scalars, ranges and sets', () => {
    expect(parseAttributes('rack:r1;level:2.5;ports:[1-10,20-30];zones:{a,b}')).to.deep.equal([
      { name: 'rack', type: 'TEXT', text: { value: 'r1' } },
      { name: 'level', type: 'SCALAR', scalar: { value: 2.5 } },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 1, end: 10 }, { begin: 20, end: 30 }] } },
      { name: 'zones', type: 'SET', set: { item: ['a', 'b'] } },
    ]);
  });

  it('skips empty tokens and trims space', () => {
    expect(parseAttributes(' os : debian12 ;;')).to.deep.equal([{ name: 'os', type: 'TEXT', text: { value: 'debian12' } }]);
    expect(parseAttributes('')).to.deep.equal([]);
  });

  it('names the bad token in its error', () => {
    const bad: [string, RegExp][] = [
      ['rack', /bad attribute 'rack': expected name:value/],
      ['rack:', /empty value/],
      ['rack:a b', /neither a number/],
      ['ports:[5-1]', /begin > end/],
      ['ports:[1-2', /unbalanced brackets/],
      ['zones:{a,}', /bad set item ''/],
      ['ra ck:1', /the name must match/],
    ];
    for (const [text, error] of bad) {
      expect(() => parseAttributes(text), text).to.throw(AttributeParseError, error);
    }
  });
});
