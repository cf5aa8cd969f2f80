// Simulated agents over a real nats-server: many nodes on a few shared connections, each
// registered with a real master on a node of its own, and each running a task.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Master } from '@tessera/master';
import { NatsTransport, Random, Runtime, memoryLogger } from '@tessera/process';
import { Resources } from '@tessera/protocol';
import { eventually, startNatsServer, type NatsServer } from '../src/index.js';
import { SimAgents, parseTrace, replayTrace } from '../src/sim/index.js';

describe('SimAgents over NATS', () => {
  let nats: NatsServer | undefined;
  let sim: SimAgents | undefined;
  const runtimes: Runtime[] = [];
  let workDir = '';
  beforeEach(() => { workDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-sim-nats-')); });
  afterEach(async () => {
    await sim?.stop();
    for (const runtime of runtimes.splice(0)) await runtime.stop();
    await nats?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('puts 60 agents on 3 shared connections, registers each as its own node, and runs a task on each', async () => {
    nats = await startNatsServer();
    const node = (name: string) => Runtime.create({ transport: new NatsTransport({ node: name, servers: nats!.url, cluster: 'simtest' }), logger: memoryLogger(), random: new Random(1) });
    const masterRuntime = await node('master');
    runtimes.push(masterRuntime);
    const master = masterRuntime.spawn(new Master({ allocationIntervalMs: 100 }));
    sim = await SimAgents.start({
      count: 60, resources: 'cpus:2;mem:2048', workDir, network: { nats: nats.url, cluster: 'simtest', connections: 3 },
      agent: { registrationBackoffFactorMs: 100 }, logger: memoryLogger(),
    });
    expect(sim.connections).to.equal(3);
    await eventually('60 agents registered', () => sim!.registered() === 60, 10_000);
    expect(master.state.agents.size).to.equal(60);
    const frameworks = await node('frameworks');
    runtimes.push(frameworks);
    // 60 two-cpu tasks of 200 ms: one per agent.
    const jobs = parseTrace(JSON.stringify({ at_ms: 0, framework: 'f', role: 'r', resources: 'cpus:2;mem:1024', duration_ms: 200, count: 60 }));
    const report = await replayTrace({ jobs, runtime: frameworks, cluster: Resources.parse('cpus:120;mem:122880'), refuseSeconds: 0.1, timeLimitMs: 15_000 });
    expect(report.tasks).to.deep.equal({ launched: 60, running: 60, finished: 60, failed: 0 });
    expect(sim.agents.every((a) => a.launcher.launched === 1)).to.equal(true);
    expect(report.launch.p99).to.be.below(5_000);
  });
});
