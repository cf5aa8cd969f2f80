import { eventually } from '@tessera/test-harness';
import type { ScaleCluster } from './cluster.js';

/** The new leader's line once the registry's agents have all come back. */
const DONE = 'every agent of the registry has re-registered';
/** The line a master logs for each agent that re-registers. */
const REREGISTERED = '"msg":"agent re-registered"';

/** What the run measured. */
export interface FailoverResult {
  ms: number;
  /** From the SIGKILL until another master held the lease. */
  electedMs: number;
  reregistered: number;
  from: string;
  to: string;
}

/**
 * failover-10k: SIGKILL of the leading master of a running cluster (its agents and tasks in
 * place) to the new leader's own log line saying every agent of the registry has re-registered.
 * Each master logs every re-registration, so the count is checked too.
 */
export async function runFailover(cluster: ScaleCluster, agents: number): Promise<FailoverResult> {
  const first = await cluster.leader();
  const before = new Map([...cluster.masters.keys()].map((name) => [name, cluster.countInLog(name, DONE)]));
  const reregisteredBefore = new Map([...cluster.masters.keys()].map((name) => [name, cluster.countInLog(name, REREGISTERED)]));
  const killedAt = performance.now();
  await cluster.masters.get(first.name)!.child.kill('SIGKILL');
  const next = await cluster.leader(60_000, first.record);
  const electedMs = performance.now() - killedAt;
  await eventually(`every agent re-registered with ${next.name}`, () => cluster.countInLog(next.name, DONE) > before.get(next.name)!, 300_000, 20);
  const ms = Math.round(performance.now() - killedAt);
  const reregistered = cluster.countInLog(next.name, REREGISTERED) - reregisteredBefore.get(next.name)!;
  if (reregistered < agents) throw new Error(`only ${reregistered} of ${agents} agents re-registered with ${next.name}`);
  return { ms, electedMs: Math.round(electedMs), reregistered, from: first.name, to: next.name };
}
