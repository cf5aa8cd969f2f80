import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Resources, type HealthCheck, type Offer, type TaskInfo } from '@tessera/protocol';
import { eventually } from '@tessera/test-harness';
import { TestFramework, useCluster } from './fixture.js';

/**
 * A task's HTTP server on port argv[2] that answers 200 until the file argv[3] appears, then stops
 * listening while its process keeps running (so that only its health check can end it).
 */
const SERVER = `
import http from 'node:http';
import { existsSync } from 'node:fs';
const server = http.createServer((_req, res) => res.end('ok'));
server.listen(Number(process.argv[2]), '127.0.0.1');
const watch = setInterval(() => { if (existsSync(process.argv[3])) { server.close(); clearInterval(watch); setInterval(() => {}, 60_000); } }, 20);
`;

/** Quick checks: from the start, every 0.2 s, killed at the second counted failure. */
const quick = (check: HealthCheck): HealthCheck => ({ delay_seconds: 0, interval_seconds: 0.2, timeout_seconds: 2, consecutive_failures: 2, grace_period_seconds: 5, ...check });

/** The first port of an offer. */
function offeredPort(offer: Offer): number {
  const ports = offer.resources.find((r) => r.name === 'ports');
  const begin = ports?.ranges?.range[0]?.begin;
  if (begin === undefined) throw new Error('the offer has no ports');
  return begin;
}

function task(id: string, offer: Offer, command: string, resources: string, extra: Partial<TaskInfo>): TaskInfo {
  return {
    name: id, task_id: { value: id }, agent_id: offer.agent_id,
    resources: Resources.parse(resources).withAllocation(offer.allocation_info?.role ?? '*').toJSON(),
    command: { value: command },
    ...extra,
  };
}

describe('e2e: health checks on a real cluster (nats-server, OS processes)', function () {
  this.timeout(60_000);
  const cluster = useCluster();
  let dir = '';
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-health-e2e-'));
    writeFileSync(path.join(dir, 'server.mjs'), SERVER);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const frameworks: TestFramework[] = [];
  // A framework a failed test left holding offers would starve the next one.
  afterEach(async () => { for (const f of frameworks.splice(0)) await f.driver.stop().catch(() => undefined); });

  it('a task whose HTTP server answers turns healthy (also in reconciliation), then is killed when it stops answering', async () => {
    const framework = await new TestFramework(cluster(), { capabilities: [{ type: 'TASK_KILLING_STATE' }] }).start();
    frameworks.push(framework);
    const offer = await framework.takeOffer();
    const port = offeredPort(offer);
    const stop = path.join(dir, 'stop-web');
    framework.driver.launch([offer.id.value], [task('web', offer, `exec "${process.execPath}" ${path.join(dir, 'server.mjs')} ${port} ${stop}`, `cpus:0.1;mem:256;ports:[${port}-${port}]`, {
      health_check: quick({ type: 'HTTP', http: { port, path: '/health' } }),
      kill_policy: { grace_period: { nanoseconds: 1_000_000_000 } },
    })]);
    const web = () => framework.updates.filter((u) => u.task_id.value === 'web');
    await eventually('the task is reported healthy', () => web().some((u) => u.healthy === true), 15_000);
    expect(web().find((u) => u.healthy === true)).to.deep.include({ state: 'TASK_RUNNING', reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED' });
    // The master keeps the latest health: reconciliation answers with it.
    const before = web().length;
    framework.driver.reconcile([{ task_id: 'web' }]);
    await eventually('a reconciliation answer', () => web().length > before);
    expect(web().at(-1)).to.deep.include({ state: 'TASK_RUNNING', reason: 'REASON_RECONCILIATION', healthy: true });

    writeFileSync(stop, '');
    await framework.waitForState('web', 'TASK_KILLED');
    const afterStop = web().slice(before + 1);
    expect(afterStop.map((u) => [u.state, u.healthy])).to.deep.equal([
      ['TASK_RUNNING', false], ['TASK_RUNNING', false], ['TASK_KILLING', undefined], ['TASK_KILLED', false],
    ]);
    expect(afterStop[0]!.message).to.equal(`GET http://127.0.0.1:${port}/health failed: ECONNREFUSED`);
    expect(afterStop.at(-1)).to.not.have.property('reason');
  });

  it('a failing COMMAND check kills its task, and a framework without TASK_KILLING_STATE hears no TASK_KILLING', async () => {
    const framework = await new TestFramework(cluster()).start();
    frameworks.push(framework);
    const offer = await framework.takeOffer();
    framework.driver.launch([offer.id.value], [task('sick', offer, 'sleep 600', 'cpus:0.1;mem:32', {
      health_check: quick({ type: 'COMMAND', command: { value: 'exit 1' }, grace_period_seconds: 0 }),
    })]);
    const killed = await framework.waitForState('sick', 'TASK_KILLED');
    expect(killed).to.deep.include({ healthy: false });
    expect(framework.statesOf('sick')).to.deep.equal(['TASK_STARTING', 'TASK_RUNNING', 'TASK_RUNNING', 'TASK_RUNNING', 'TASK_KILLED']);
  });
});
