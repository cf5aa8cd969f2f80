#!/usr/bin/env node
/**
 * launch-1000-true: 1,000 tasks of /bin/true on a local cluster of 4 agents over a real
 * nats-server, from the first ACCEPT to the last TASK_FINISHED, beside the floor: the bare rate
 * of spawning 1,000 /bin/true processes from Node in the same run. `--quick`: 200 tasks.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { memoryLogger } from '@tessera/process';
import { eventually, startNatsServer } from '@tessera/test-harness';
import type { Master } from '@tessera/master';
import { runExecute } from '../src/execute/run-execute.js';
import { startAgentService, startMasterService, type Service } from '../src/services.js';

const quick = process.argv.includes('--quick');
const TASKS = quick ? 200 : 1_000;
const AGENTS = 4;

/** Spawns `count` /bin/true processes, `parallel` at a time; returns processes per second. */
async function spawnFloor(count: number, parallel: number): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await new Promise<void>((resolve, reject) => {
        const child = spawn('/bin/true', [], { stdio: 'ignore' });
        child.on('error', reject);
        child.on('exit', () => resolve());
      });
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return count / ((performance.now() - started) / 1000);
}

async function clusterRate(): Promise<{ perS: number; failures: number }> {
  const nats = await startNatsServer();
  const network = { nats: nats.url, cluster: 'bench' };
  const logger = memoryLogger();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-'));
  const services: Service<unknown>[] = [await startMasterService(network, logger, { allocationIntervalMs: 100 })];
  for (let i = 1; i <= AGENTS; i++) {
    services.push(await startAgentService(network, logger, { node: `agent-${i}`, workDir, hostname: `agent-${i}`, resources: 'cpus:16;mem:65536;disk:1000' }));
  }
  // Agents register after a random back-off of up to 1 s (as Mesos's): start once all have.
  const master = services[0]!.process as Master;
  await eventually('every agent registered', () => master.state.agents.size === AGENTS, 10_000);
  const result = await runExecute({
    network, master: 'master@master', role: '*', name: 'true', command: '/bin/true', instances: TASKS, resources: 'cpus:0.01;mem:1',
    print: () => {}, logger,
  });
  for (const service of services.reverse()) await service.stop();
  await nats.stop();
  rmSync(workDir, { recursive: true, force: true });
  const reasons = new Map<string, number>();
  for (const f of result.failures) reasons.set(`${f.state} ${f.reason ?? ''} ${f.message ?? ''}`, (reasons.get(`${f.state} ${f.reason ?? ''} ${f.message ?? ''}`) ?? 0) + 1);
  for (const [reason, count] of reasons) console.log(`  ${count} x ${reason}`);
  return { perS: Math.round(result.finished / (result.launchToEndMs / 1000)), failures: result.failures.length };
}

const floor = Math.round(Math.max(await spawnFloor(TASKS, 1), await spawnFloor(TASKS, 8)));
const cluster = await clusterRate();
const ratio = (cluster.perS / floor).toFixed(2);
console.log(`launch-${TASKS}-true: ${cluster.perS} tasks/s from first ACCEPT to last TASK_FINISHED on ${AGENTS} agents over NATS` +
  ` (${cluster.failures} failed); floor: Node spawns ${floor} /bin/true per second; ratio ${ratio} (target >= 0.5)`);
console.log(JSON.stringify({ bench: 'launch-1000-true', tasks_per_s: cluster.perS, floor_per_s: floor }));
process.exit(cluster.failures === 0 ? 0 : 1);
