#!/usr/bin/env node
/**
 * `npm run bench:scale`: issue 9's benchmarks at 10,000 simulated agents on real NATS, each
 * printing its figure, its anchor, the ratio and a final JSON line.
 *   --quick          1,000 agents and shorter runs (a smoke run; the JSON names keep their -10k)
 *   --agents <n>     another cluster size
 *   --only <names>   comma separated: placement (placement-10k and launch-latency-10k), alloc,
 *                    memory (master-memory-10k and state-10k), failover
 *   --window <n>     placement: each framework's launches in flight (default 50)
 *   --seconds <s>    placement: length of the run (default 60)
 * Run it under `nice -n -10` on a shared machine. Charts go to docs/charts/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScaleCluster } from './cluster.js';
import { runPlacement } from './placement.js';
import { machine } from './proc.js';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const at = argv.indexOf(`--${name}`);
  return at < 0 ? undefined : argv[at + 1];
};
const quick = argv.includes('--quick');
const agents = Number(flag('agents') ?? (quick ? 1_000 : 10_000));
const seconds = Number(flag('seconds') ?? (quick ? 20 : 60));
const window = Number(flag('window') ?? 50);
const only = new Set((flag('only') ?? 'placement,alloc,memory,failover').split(','));
const RESOURCES = 'cpus:8;mem:32768';
const chartsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../docs/charts');
mkdirSync(chartsDir, { recursive: true });
// TESSERA_SCALE_PROFILE=<dir>: CPU profiles of the masters and the sim (node --cpu-prof) in <dir>.
const profileDir = process.env.TESSERA_SCALE_PROFILE;
const profile = (who: string): { masterNodeFlags?: string[]; simNodeFlags?: string[] } => profileDir === undefined ? {}
  : { masterNodeFlags: ['--cpu-prof', '--cpu-prof-dir', path.join(profileDir, `${who}-master`)], simNodeFlags: ['--cpu-prof', '--cpu-prof-dir', path.join(profileDir, `${who}-sim`)] };
const say = (line: string): void => { process.stdout.write(`${line}\n`); };
const json = (line: Record<string, unknown>): void => say(JSON.stringify(line));
const ratio = (a: number, b: number): number => Math.round((a / b) * 100) / 100;

say(`bench:scale on ${machine()}; ${agents.toLocaleString('en')} simulated agents (${RESOURCES}) in one tessera sim process`);

if (only.has('placement')) {
  const cluster = await ScaleCluster.start({ agents, resources: RESOURCES, masters: 1, log: say, ...profile('placement') });
  try {
    const registeredMs = await cluster.waitForAgents(agents);
    say(`placement: ${agents} agents registered in ${(registeredMs / 1000).toFixed(1)} s; 10 frameworks launch 1-cpu tasks of 2 s for ${seconds} s, window ${window} per framework`);
    const result = await runPlacement(cluster, {
      agents, resources: RESOURCES, frameworks: 10, seconds, taskMs: 2_000, window, chartsDir, chartName: 'placement-10k',
    }, say);
    const { report } = result;
    say(`placement-10k: ${result.tasksPerS} tasks/s from ACCEPT to TASK_RUNNING acknowledged, over ${(report.elapsedMs / 1000).toFixed(0)} s (${report.tasks.running} tasks; ${report.tasks.failed} failed)`);
    say(`  anchor: Nomad C1M ~3,750/s on 5 servers (ratio ${ratio(result.tasksPerS, 3_750)}); Kubernetes CI floor 270 pods/s at 5,000 nodes (ratio ${ratio(result.tasksPerS, 270)}); target >= 5,000/s`);
    say(`  CPU per task (ms): ${Object.entries(result.cpuPerTaskMs).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    json({ bench: 'placement-10k', tasks_per_s: result.tasksPerS });
    say(`launch-latency-10k: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms from ACCEPT to TASK_RUNNING (max ${report.launch.max} ms)`);
    say(`  anchor: Kubernetes pod start-up SLO 5 s (p99 ratio ${ratio(result.p99Ms, 5_000)}); target p99 < 100 ms`);
    json({ bench: 'launch-latency-10k', p50_ms: result.p50Ms, p99_ms: result.p99Ms });
  } finally {
    await cluster.stop();
  }
}
process.exit(0);
