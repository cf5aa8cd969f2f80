import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Master, type MasterOptions } from '@tessera/master';
import { ManualClock, MemoryNetwork, Random, Runtime, memoryLogger } from '@tessera/process';
import { SimAgents, type SimAgentsOptions } from '../src/sim/index.js';

/** A real master, simulated agents and a node for frameworks, on one in-memory network and manual clock. */
export interface SimCluster {
  clock: ManualClock;
  network: MemoryNetwork;
  master: Master;
  masterRuntime: Runtime;
  frameworks: Runtime;
  sim: SimAgents;
  settle(): Promise<void>;
  /** Advances the clock in steps of at most `step` ms, settling after each. */
  advance(ms: number, step?: number): Promise<void>;
  /** Advances step by step until `done()` (at most `limitMs`). */
  advanceUntil(done: () => boolean, limitMs: number, step?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startSimCluster(agents: Partial<SimAgentsOptions> & { count: number }, master: MasterOptions = {}): Promise<SimCluster> {
  const clock = new ManualClock();
  const network = new MemoryNetwork();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-sim-'));
  const masterRuntime = await Runtime.create({ transport: network.transport('master'), clock, random: new Random(7), logger: memoryLogger() });
  const frameworks = await Runtime.create({ transport: network.transport('frameworks'), clock, random: new Random(8), logger: memoryLogger() });
  const masterProcess = masterRuntime.spawn(new Master({ allocationIntervalMs: 100, ...master }));
  const sim = await SimAgents.start({
    resources: 'cpus:4;mem:4096', workDir, clock, seed: 100, logger: memoryLogger(), network: { transport: (node) => network.transport(node) }, ...agents,
  });
  const settle = async (): Promise<void> => {
    await clock.settle();
    for (const runtime of [masterRuntime, frameworks, ...sim.agents.map((a) => a.runtime)]) await runtime.flush();
    await clock.settle();
  };
  const advance = async (ms: number, step = 100): Promise<void> => {
    for (let left = ms; left > 0; left -= step) {
      clock.advance(Math.min(step, left));
      await settle();
    }
  };
  return {
    clock, network, master: masterProcess, masterRuntime, frameworks, sim, settle, advance,
    async advanceUntil(done, limitMs, step = 100) {
      for (let spent = 0; !done(); spent += step) {
        if (spent >= limitMs) throw new Error(`not done after ${limitMs} ms of simulated time`);
        await advance(step, step);
      }
    },
    async stop() {
      await sim.stop();
      await frameworks.stop();
      await masterRuntime.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
