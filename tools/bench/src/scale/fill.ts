import type { ScaleCluster } from './cluster.js';
import { clusterTotal, endlessJobs, replayOn } from './frameworks.js';

/** Names of the frameworks that fill the cluster: `trace fill-<i>`. */
const FILL = 'fill';

/**
 * Fills the cluster with `tasks` long-running tasks (an hour each) from 10 frameworks, and leaves
 * them running: the frameworks go away without tearing down (failover timeout 1 h), as a
 * scheduler that fails over would. Returns how long the launches took.
 */
export async function fillCluster(cluster: ScaleCluster, agents: number, resources: string, tasks: number, say: (line: string) => void): Promise<{ ms: number; running: number }> {
  const began = performance.now();
  // The master is the judge: a task its framework heard was lost (its agent seemed gone for a
  // moment) may be running all the same, and the master counts it again once its agent is back.
  const enough = new AbortController();
  let running = 0;
  let grewAt = performance.now();
  let staging = 0;
  const watching = (async () => {
    while (!enough.signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const metrics = await cluster.metrics().catch(() => ({} as Record<string, number>));
      staging = (metrics['master/tasks_staging'] ?? 0) + (metrics['master/tasks_starting'] ?? 0);
      const now = metrics['master/tasks_running'] ?? running;
      if (now > running) grewAt = performance.now();
      running = now;
      // Past 99%, a count that stands still for 30 s is where the fill ends (the run says how far it got).
      if (running >= tasks || (running >= tasks * 0.99 && performance.now() - grewAt > 30_000)) enough.abort();
    }
  })();
  // 0.8 cpus: ten to an 8-cpu agent, so 100,000 tasks take exactly 10,000 agents.
  await replayOn(cluster, 'bench-fill', {
    jobs: endlessJobs(10, 'cpus:0.8;mem:3000', 3_600_000, FILL),
    cluster: clusterTotal(agents, resources),
    window: 500,
    signal: enough.signal,
    timeLimitMs: 600_000,
    leaveRunning: true,
    failoverTimeoutS: 3_600,
    onBucket: (p) => { if (Number.isInteger(p.t_s / 10)) say(`  fill t=${p.t_s}s: the frameworks have seen ${p.running} tasks running, the master counts ${running} (and ${staging} staging or starting)`); },
  });
  enough.abort();
  await watching;
  if (running < tasks * 0.99) throw new Error(`only ${running} of ${tasks} tasks run after 10 min`);
  return { ms: performance.now() - began, running };
}

/** Tears the fill's frameworks down through the leader's operator API (their tasks are killed). */
export async function emptyCluster(cluster: ScaleCluster): Promise<void> {
  const leader = await cluster.leader();
  const call = async (body: unknown): Promise<unknown> => {
    const response = await fetch(`${leader.http}/api/v1`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`operator call answered ${response.status}: ${text}`);
    return text === '' ? undefined : JSON.parse(text);
  };
  const answer = await call({ type: 'GET_FRAMEWORKS' }) as { get_frameworks: { frameworks?: { framework_info: { id: { value: string }; name: string } }[] } };
  for (const { framework_info: info } of answer.get_frameworks.frameworks ?? []) {
    if (info.name.startsWith(`trace ${FILL}-`)) await call({ type: 'TEARDOWN', teardown: { framework_id: info.id } });
  }
}
