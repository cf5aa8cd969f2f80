#!/usr/bin/env node
/**
 * The master's state at issue 9's size (10,000 agents, 100,000 running tasks by default), built
 * through MasterState's own methods with no network: what it holds (V8 heap after a full GC,
 * run with --expose-gc) and what one /state costs (view, JSON, bytes). A pure stand-in for
 * bench:scale's memory and state figures that runs in seconds.
 *   node --expose-gc packages/master/dist/bench/state-at-scale.js [--agents N] [--tasks-per-agent K]
 */
import { encodeEnvelope, decodeEnvelopes } from '@tessera/protocol';
import type { AgentInfo, TaskInfo, TaskStatus } from '@tessera/protocol';
import { masterFlags } from '../src/master-flags.js';
import { MasterState, type TaskRecord } from '../src/master-state.js';
import { agentLifecycle } from '../src/lifecycle/agent-lifecycle.js';
import { stateView } from '../src/operator/operator-views.js';
import { joinStateJson, stateJsonParts, type StateJsonParts } from '../src/operator/state-json.js';
import type { OperatorSources } from '../src/operator/operator-host.js';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const at = argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(argv[at + 1]);
};
const agents = flag('agents', 10_000);
const tasksPerAgent = flag('tasks-per-agent', 10);
const frameworks = 10;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const heapMb = (): number => { gc(); gc(); return process.memoryUsage().heapUsed / 1048576; };

/** A body as the master receives it: through the wire codec, so strings are what decoding makes them. */
function overTheWire<T>(body: T): T {
  const [envelope] = decodeEnvelopes(encodeEnvelope({ type: 'bench.Body', from: 'a@b', to: 'c@d', id: 1, body } as never)) as [{ body: T }];
  return envelope.body;
}

const state = new MasterState({ maxCompletedFrameworks: 50, maxCompletedTasksPerFramework: 1_000 });
const empty = heapMb();
const now = 1_790_000_000_000;
const fws = Array.from({ length: frameworks }, (_, i) => state.addFramework({ user: 'bench', name: `trace fill-${i + 1}`, id: { value: `fw-${i}` }, failover_timeout: 3_600 }, `trace-fill-${i + 1}@bench-fill`, now));
const records = [];
for (let i = 0; i < agents; i++) {
  const info: AgentInfo & { id: { value: string } } = overTheWire({
    hostname: `sim-${i}`, port: 5051, id: { value: `4f17add7-0b9b-4c09-a856-f75d47132783-S${i}` },
    resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 8 } }, { name: 'mem', type: 'SCALAR', scalar: { value: 32_768 } }],
  } as AgentInfo & { id: { value: string } });
  const agent = state.addAgent(info, `agent@sim-${i}`, '0.1.0', now);
  agent.lifecycle = agentLifecycle.must(agent.lifecycle, 'ADMITTED'); // as the master admits it: /state lists it
  records.push(agent);
}
const withAgents = heapMb();
let n = 0;
for (const agent of records) {
  for (let k = 0; k < tasksPerAgent; k++) {
    const framework = fws[n % frameworks]!;
    const info: TaskInfo = overTheWire({
      name: `fill${(n % frameworks) + 1}-${n}`, task_id: { value: `fill${(n % frameworks) + 1}-${n}` }, agent_id: { value: agent.id },
      resources: [
        { name: 'cpus', type: 'SCALAR', scalar: { value: 0.8 }, allocation_info: { role: '*' } },
        { name: 'mem', type: 'SCALAR', scalar: { value: 3_000 }, allocation_info: { role: '*' } },
      ],
      command: { value: 'sleep 3600' },
    });
    const record = state.addTask(framework, agent, info, undefined);
    for (const taskState of ['TASK_STARTING', 'TASK_RUNNING'] as const) {
      const status: TaskStatus = overTheWire({
        task_id: { value: info.task_id.value }, state: taskState, source: 'SOURCE_EXECUTOR', agent_id: { value: agent.id },
        executor_id: { value: info.task_id.value }, timestamp: now / 1000, uuid: Buffer.from(`${n}-${taskState}`.padEnd(16, '.')).toString('base64'),
      });
      state.updateTask(record, status);
    }
    n++;
  }
}
const withTasks = heapMb();
console.log(`heap: ${empty.toFixed(0)} MiB empty, ${withAgents.toFixed(0)} MiB with ${agents} agents, ${withTasks.toFixed(0)} MiB with ${n} tasks;`
  + ` ${(((withAgents - empty) * 1024) / agents).toFixed(2)} KiB per agent, ${(((withTasks - withAgents) * 1024) / n).toFixed(2)} KiB per task`);

const sources: OperatorSources = {
  state, flags: masterFlags({ hostname: 'bench' }), masterId: 'bench-master', pid: 'master@master', now: () => now, startedAt: now, electedAt: now, leaderHostname: 'bench',
};
for (let round = 0; round < 3; round++) {
  const began = performance.now();
  const view = stateView(sources);
  const viewed = performance.now();
  const json = JSON.stringify(view);
  const stringified = performance.now();
  const bytes = Buffer.from(json);
  const encoded = performance.now();
  console.log(`/state round ${round + 1}: ${(encoded - began).toFixed(0)} ms (view ${(viewed - began).toFixed(0)}, JSON ${(stringified - viewed).toFixed(0)}, bytes ${(encoded - stringified).toFixed(0)}); ${(bytes.length / 1048576).toFixed(1)} MiB`);
}
// The same /state from JSON kept per task and task lists kept as bytes, as the HTTP encoder keeps
// them: the first build writes every task, the next ones reuse the lists' bytes.
for (let round = 0; round < 3; round++) {
  const began = performance.now();
  const parts = stateJsonParts(sources);
  const taken = performance.now();
  const bytes = toBytes(parts);
  const encoded = performance.now();
  console.log(`/state parts round ${round + 1}: ${(taken - began).toFixed(1)} ms in the master's turn, ${(encoded - taken).toFixed(1)} ms to bytes; ${(bytes / 1048576).toFixed(1)} MiB`);
}

// A cluster that changes between builds: `changed` running tasks (spread over the frameworks and
// agents) get a status update before each build, so their frameworks' lists (and, as their
// statuses only change, not the agents' views) are written again. Median of 5 builds each.
const live: TaskRecord[] = fws.flatMap((f) => [...f.tasks.values()]);
let updates = 0;
for (const changed of [1, 10, 100, 1_000, 10_000]) {
  const turns: number[] = [];
  const writes: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < changed; i++) {
      const record = live[(updates++ * 7_919) % live.length]!;
      state.updateTask(record, { task_id: record.task.task_id, state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', timestamp: now / 1000 + updates, uuid: `u${updates}` });
    }
    const began = performance.now();
    const parts = stateJsonParts(sources);
    const taken = performance.now();
    toBytes(parts);
    turns.push(taken - began);
    writes.push(performance.now() - taken);
  }
  const median = (values: number[]): string => values.sort((a, b) => a - b)[2]!.toFixed(1);
  console.log(`/state with ${changed} task(s) changed between builds: ${median(turns)} ms in the master's turn, ${median(writes)} ms to bytes (medians of 5)`);
}

/** The parts to UTF-8 as the HTTP encoder writes them (lists that ask are handed their bytes); the byte count. */
function toBytes(parts: StateJsonParts): number {
  let total = 0;
  for (const part of parts) {
    if (typeof part === 'string' || Buffer.isBuffer(part)) {
      total += typeof part === 'string' ? Buffer.from(part).length : part.length;
      continue;
    }
    const bytes = Buffer.from(joinStateJson([part]));
    part.keep?.(bytes);
    total += bytes.length;
  }
  return total;
}
