#!/usr/bin/env node
/**
 * failover: time from SIGKILL of the leading master to a new leader with every agent
 * re-registered, for 1 and 100 agents, on real processes: a 3-server JetStream NATS cluster,
 * three `tessera master` processes (2 s lease, registry replicas 3) and the agents (100 agents
 * as 4 OS processes of 25 agent actors each). The end is the new leader's own log line saying
 * every agent of the registry has re-registered. `--quick`: 1 and 20 agents.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { eventually } from '../src/index.js';
import { HaCluster } from '../src/ha/ha-cluster.js';

const quick = process.argv.includes('--quick');
const SIZES = quick ? [1, 20] : [1, 100];
const AGENTS_PER_PROCESS = 25;
const LEASE_MS = 2_000;
const DONE = 'every agent of the registry has re-registered';

const logOf = (ha: HaCluster, master: string): string => readFileSync(path.join(ha.dir, `${master}.log`), 'utf8');
const count = (text: string, needle: string): number => text.split(needle).length - 1;

async function failoverMs(agents: number): Promise<number> {
  const processes = Math.ceil(agents / AGENTS_PER_PROCESS);
  const ha = await HaCluster.start({
    framework: false, leaseMs: LEASE_MS, agentProcesses: processes, agentsPerProcess: Math.min(agents, AGENTS_PER_PROCESS),
    agentResources: 'cpus:4;mem:4096;disk:1000', agentReregisterTimeoutMs: 120_000,
  });
  try {
    const first = await ha.waitForLeader();
    await eventually(`${agents} agents registered`, () => count(logOf(ha, first.name), '"agent registered"') + count(logOf(ha, first.name), '"agent re-registered"') >= agents, 120_000, 50);
    const before = new Map([...ha.masters.keys()].map((m) => [m, count(logOf(ha, m), DONE)]));
    const killedAt = performance.now();
    await ha.masters.get(first.name)!.kill('SIGKILL');
    const next = await ha.waitForLeader(30_000, first.record);
    await eventually(`every agent re-registered with ${next.name}`, () => count(logOf(ha, next.name), DONE) > before.get(next.name)!, 120_000, 10);
    const ms = Math.round(performance.now() - killedAt);
    const reregistered = count(logOf(ha, next.name), '"agent re-registered"');
    if (reregistered < agents) throw new Error(`only ${reregistered} of ${agents} agents re-registered (the rest timed out)`);
    return ms;
  } finally {
    await ha.stop();
  }
}

console.log(`failover: SIGKILL of the leading master (lease ${LEASE_MS} ms) to a new leader with every agent re-registered`);
console.log('  anchors: Mesos 1.5 ~1 s for 1,000 agents and 19 s for 40,000 (in-process, no network); Borg ~10 s');
let ok = true;
for (const agents of SIZES) {
  try {
    const ms = await failoverMs(agents);
    console.log(`failover with ${agents} agent(s): ${ms} ms (lease ${LEASE_MS} ms; a SIGKILLed leader is seen gone within ~0.2 s, then the agents' 1 s registration back-off)`);
    console.log(JSON.stringify({ bench: 'failover', agents, ms }));
  } catch (err) {
    ok = false;
    console.error(`failover with ${agents} agent(s) failed: ${(err as Error).message}`);
  }
}
process.exit(ok ? 0 : 1);
