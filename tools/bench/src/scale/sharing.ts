import { ScaleCluster } from './cluster.js';
import { cpuMs, rssMb } from './proc.js';

/** What one sharing setting costs the simulation. */
export interface SharingResult {
  connections: number;
  /** From the sim's start to every agent registered. */
  registeredMs: number;
  /** CPU of the sim, the master and nats-server per second with every agent idle (heartbeats, pings). */
  idleCpu: { sim: number; master: number; nats: number };
  simRssMb: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What sharing NATS connections costs: `agents` idle simulated agents on `connections`
 * connections, each its own node (so each publishes a heartbeat a second, subscribes to its own
 * subjects and watches the master's heartbeat); CPU per second of every process over `seconds`.
 */
export async function runSharing(agents: number, connections: number, resources: string, seconds: number): Promise<SharingResult> {
  const cluster = await ScaleCluster.start({ agents, resources, masters: 1, leaseMs: 30_000, connections, registrationBackoffMs: Math.max(1_000, agents / 2) });
  try {
    const registeredMs = await cluster.waitForAgents(agents);
    await sleep(3_000);
    const master = (await cluster.leader()).pid;
    const nats = 'servers' in cluster.nats ? cluster.nats.servers[0]!.pid : cluster.nats.pid;
    const before = { sim: cpuMs(cluster.sim.pid)!, master: cpuMs(master)!, nats: cpuMs(nats)! };
    await sleep(seconds * 1_000);
    const per = (now: number | undefined, then: number): number => Math.round(((now! - then) / seconds / 1_000) * 1_000) / 1_000;
    return {
      connections, registeredMs: Math.round(registeredMs),
      idleCpu: { sim: per(cpuMs(cluster.sim.pid), before.sim), master: per(cpuMs(master), before.master), nats: per(cpuMs(nats), before.nats) },
      simRssMb: Math.round(rssMb(cluster.sim.pid)!),
    };
  } finally {
    await cluster.stop();
  }
}
