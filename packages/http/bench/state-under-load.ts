#!/usr/bin/env node
/**
 * `/health` while 20 clients poll `/state` on a cluster of 1,000 agents (issue 6): a real master
 * with its HTTP server, 1,000 real agent actors registered over an in-memory network in this
 * process, and the clients in a child process. The figure is /health's latency under that load
 * against its latency with no load (same run, same server). /health never enters the master's
 * mailbox; what it can wait for is the event loop, which a /state build holds for its duration.
 *   --quick   100 agents and fewer probes (a smoke run)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, InProcessHostLauncher } from '@tessera/agent';
import { ExecutorHost } from '@tessera/executor-driver';
import { MemoryLeaseStore } from '@tessera/leader';
import { MasterContender, MemoryRegistryStore, type Master } from '@tessera/master';
import { MemoryNetwork, Random, Runtime, memoryLogger } from '@tessera/process';
import { startMasterHttp } from '../src/index.js';

const quick = process.argv.includes('--quick');
const agents = quick ? 100 : 1_000;
const clients = 20;
const probes = quick ? 200 : 1_000;

const network = new MemoryNetwork();
const logger = memoryLogger();
const workDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-state-bench-'));
const masterRuntime = await Runtime.create({ transport: network.transport('master'), logger, random: new Random(1) });
const agentRuntime = await Runtime.create({ transport: network.transport('agents'), logger, random: new Random(2) });
const contender = new MasterContender({ runtime: masterRuntime, lease: new MemoryLeaseStore(), registry: new MemoryRegistryStore(), master: { hostname: 'bench' }, hostname: 'bench' });
const elected = new Promise<Master>((resolve) => contender.onElected(resolve));
contender.start();
const master = await elected;
const http = await startMasterHttp({ runtime: masterRuntime, source: contender, logger, host: '127.0.0.1', port: 0, webuiRoot: false });

const hostLauncher = new InProcessHostLauncher(agentRuntime, ({ onIdle }) => new ExecutorHost({ runtime: agentRuntime, onIdle }));
const spawned: Agent[] = [];
for (let i = 0; i < agents; i++) {
  spawned.push(agentRuntime.spawn(new Agent({
    name: `agent-${i}`, workDir, hostLauncher, hostname: `host-${i}.bench`, port: 5051,
    resources: 'cpus:16;mem:65536;disk:500000;ports:[31000-32000]', attributes: `rack:r${i % 40};zone:z${i % 3}`, registrationBackoffFactorMs: 200,
  })));
}
const started = performance.now();
while (spawned.some((a) => a.id === undefined)) {
  if (performance.now() - started > 120_000) throw new Error('the agents did not all register within 2 min');
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const registered = await masterRuntime.dispatch(master.pid, () => master.state.agents.size);

// Counts the view builds (not the requests): how much the batching saves.
let builds = 0;
let buildMs = 0;
const operator = master.operator as { view: (...args: unknown[]) => unknown };
const view = operator.view;
operator.view = function (this: unknown, ...args: unknown[]) {
  const at = performance.now();
  try {
    return view.apply(this, args);
  } finally {
    builds += 1;
    buildMs += performance.now() - at;
  }
};
const client = fileURLToPath(new URL('./state-load-client.js', import.meta.url));
const child = spawn(process.execPath, [client, http.url, String(clients), String(probes)], { stdio: ['ignore', 'pipe', 'inherit'] });
let output = '';
child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
if (code !== 0) {
  console.error(`the load client failed (exit ${code})`);
  process.exit(1);
}
const figures = JSON.parse(output.trim().split('\n').at(-1)!) as Record<string, number>;
const ratioP50 = Math.round((figures.loadedP50! / figures.idleP50!) * 100) / 100;
const ratioP99 = Math.round((figures.loadedP99! / figures.idleP99!) * 100) / 100;
console.log(`state-under-load: ${registered} agents, ${clients} clients polling /state (${Math.round(figures.stateBytes! / 1024)} KiB, p50 ${figures.stateP50} ms, ${figures.statePerSecond}/s served)`);
console.log(`  /health idle p50 ${figures.idleP50} ms p99 ${figures.idleP99} ms; under load p50 ${figures.loadedP50} ms p99 ${figures.loadedP99} ms max ${figures.loadedMax} ms; ratio p50 ${ratioP50}, p99 ${ratioP99}`);
const buildAvgMs = Math.round((buildMs / builds) * 100) / 100;
console.log(`  ${builds} /state builds (${buildAvgMs} ms each in the master's mailbox) for all the requests served`);
console.log(JSON.stringify({ bench: 'state-under-load', agents: registered, clients, ...figures, ratioP50, ratioP99, builds, buildAvgMs }));

await http.close();
await contender.stop();
await masterRuntime.stop();
await agentRuntime.stop();
rmSync(workDir, { recursive: true, force: true });
process.exit(0);
