import { performance } from 'node:perf_hooks';
import { allocate } from '../src/index.js';
import { buildState, oneRoleCluster, quotaCluster, seeded } from './fixtures.js';
for (const [name, c] of [['10k', oneRoleCluster(10000, 1000)], ['20k', oneRoleCluster(20000, 2000)], ['quota', quotaCluster()]] as const) {
  for (let k = 0; k < 3; k++) {
    const b = buildState(c, 1);
    const t0 = performance.now();
    const out = allocate(b.state, { now: 0, random: seeded(2) });
    console.log(name, (performance.now() - t0).toFixed(1), 'ms', out.length, 'setup', b.addAgentsMs.toFixed(0), b.addFrameworksMs.toFixed(0));
  }
}
