import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { eventually } from '@tessera/test-harness';
import { startOperatorCluster, tessera, type OperatorCluster } from './operator-cluster.js';

// A cluster of its own: taking its one machine DOWN shuts its agent down.
describe('operator CLI: maintenance against a real cluster', function () {
  this.timeout(60_000);
  let cluster: OperatorCluster;
  let master: string;
  let dir: string;

  before(async () => {
    cluster = await startOperatorCluster();
    master = cluster.masterHttp.url;
    dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-operator-cli-'));
  });
  after(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tessera maintenance: schedule a file, show it, status DRAINING, start (DOWN), stop', async () => {
    const start = 1_700_000_000_000_000_000;
    const file = path.join(dir, 'schedule.json');
    writeFileSync(file, JSON.stringify({ windows: [{ machine_ids: [{ hostname: '127.0.0.1' }], unavailability: { start: { nanoseconds: start }, duration: { nanoseconds: 3_600_000_000_000 } } }] }));
    const scheduled = await tessera('maintenance', 'schedule', file, '--master', master);
    expect([scheduled.code, scheduled.stdout], scheduled.stderr).to.deep.equal([0, 'schedule stored: 1 window(s), 127.0.0.1\n']);
    const show = await tessera('maintenance', '--master', master);
    expect(show.stdout.trimEnd().split('\n')[1]!.split(/\s+/)).to.deep.equal(['127.0.0.1', new Date(start / 1e6).toISOString(), '3600', 's']);
    const draining = await tessera('maintenance', 'status', '--master', master);
    expect(draining.stdout.trimEnd().split('\n')[1]!.split(/\s+/).slice(0, 2)).to.deep.equal(['127.0.0.1', 'DRAINING']);
    const down = await tessera('maintenance', 'start', '127.0.0.1', '--master', master);
    expect([down.code, down.stdout], down.stderr).to.deep.equal([0, 'down: 127.0.0.1\n']);
    const status = JSON.parse((await tessera('maintenance', 'status', '--master', master, '--json')).stdout) as { down_machines: unknown[] };
    expect(status.down_machines).to.deep.equal([{ hostname: '127.0.0.1' }]);
    const up = await tessera('maintenance', 'stop', '127.0.0.1', '--master', master);
    expect([up.code, up.stdout], up.stderr).to.deep.equal([0, 'up: 127.0.0.1\n']);
    await eventually('the machine is out of maintenance', async () => (await tessera('maintenance', 'status', '--master', master)).stdout === 'no machine in maintenance\n');
  });

  it('a machine the schedule does not name: the master\'s 400, one line, exit code 1', async () => {
    const run = await tessera('maintenance', 'start', 'elsewhere', '--master', master);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/^tessera: POST \/api\/v1 START_MAINTENANCE: 400 .*elsewhere.*\n$/);
  });
});
