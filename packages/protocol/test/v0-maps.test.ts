import { expect } from 'chai';
import { Resources, attributeMap, resourceMap } from '../src/index.js';

describe('v0 view maps (state.json resources and attributes)', () => {
  it('sums a resource list into the v0 scalar map, roles folded together, ranges as text', () => {
    const map = resourceMap([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.2 }, role: 'web' },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 32000 }] } },
    ]);
    expect(map).to.deep.equal({ cpus: 0.3, mem: 0, disk: 0, gpus: 0, ports: '[31000-32000]' });
  });

  it('always names cpus, mem, disk and gpus, and writes sets in braces', () => {
    expect(resourceMap(Resources.parse('mem:64;zones:{a,b}'))).to.deep.equal({ cpus: 0, mem: 64, disk: 0, gpus: 0, zones: '{a,b}' });
  });

  it('writes attributes by type: text, scalar and ranges', () => {
    expect(attributeMap([
      { name: 'rack', type: 'TEXT', text: { value: 'r1' } },
      { name: 'level', type: 'SCALAR', scalar: { value: 2 } },
      { name: 'slots', type: 'RANGES', ranges: { range: [{ begin: 1, end: 4 }] } },
    ])).to.deep.equal({ rack: 'r1', level: 2, slots: '[1-4]' });
  });
});
