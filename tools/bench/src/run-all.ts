#!/usr/bin/env node
/**
 * `npm run bench`: the benchmarks, each against a baseline measured in the same run.
 * Prints a readable line per figure and ends each benchmark with one JSON line.
 *   --quick        fewer iterations (a smoke run; figures are noisier)
 *   --only <name>  one suite: codec, nats, alloc, launch, failover or http
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCodecBench } from './codec-bench.js';
import { runNatsBenches } from './nats-benches.js';

type JsonLine = Record<string, unknown>;

const SUITES = ['codec', 'nats', 'alloc', 'launch', 'failover', 'http'] as const;
type SuiteName = (typeof SUITES)[number];

const quick = process.argv.includes('--quick');
const only = onlySuite(process.argv);
const selected = (name: SuiteName): boolean => only === undefined || only === name;

/** The runtime's codec: one offer message through encode, decode and validate. */
function codecSuite(): JsonLine[] {
  const codec = runCodecBench({ iterations: quick ? 20_000 : 200_000 });
  console.log(`codec: encode+decode+validate of a ${codec.bytes}-byte offer message: ${codec.us} us (encode ${codec.encodeUs}, decode ${codec.decodeUs}, validate ${codec.validateUs}); JSON.stringify+parse baseline ${codec.jsonUs} us`);
  return [{ bench: 'codec', us: codec.us }];
}

/** Actor messaging over NATS against raw NATS. */
async function natsSuite(): Promise<JsonLine[]> {
  const { ask, send } = await runNatsBenches({ asks: quick ? 500 : 3_000, sends: quick ? 20_000 : 200_000, rounds: quick ? 1 : 3 });
  console.log(`ask-rtt: raw NATS request p50 ${ask.rawP50Us} us (mean ${ask.rawMeanUs}); actor ask p50 ${ask.actorP50Us} us (mean ${ask.actorMeanUs}); ratio ${ask.ratio} (target <= 1.3)`);
  console.log(`send-throughput: raw NATS publish ${send.rawPerS}/s; actor send ${send.actorPerS}/s; ratio ${send.ratio} (target >= 0.7)`);
  return [{ bench: 'ask-rtt', ratio: ask.ratio }, { bench: 'send-throughput', ratio: send.ratio }];
}

/**
 * The allocator's allocation cycle (packages/allocator/bench), in a process of its own: its
 * figures then do not depend on the heap and the JIT state the other suites leave behind. It
 * prints its own lines, JSON included. Returns false when a sanity check failed.
 */
function allocSuite(): boolean {
  const index = import.meta.resolve('@tessera/allocator');
  const script = fileURLToPath(new URL('../bench/allocation-cycle.js', index));
  const run = spawnSync(process.execPath, [script, ...(quick ? ['--quick'] : [])], { stdio: 'inherit' });
  return run.status === 0;
}

/**
 * launch-1000-true (packages/cli/bench): tasks of /bin/true through a real local cluster over
 * NATS, beside Node's bare spawn rate; in a process of its own, like the allocator's.
 */
function launchSuite(): boolean {
  const index = import.meta.resolve('@tessera/cli');
  const script = fileURLToPath(new URL('../bench/launch-bench.js', index));
  const run = spawnSync(process.execPath, [script, ...(quick ? ['--quick'] : [])], { stdio: 'inherit' });
  return run.status === 0;
}

/**
 * failover (test-harness/bench): SIGKILL of the leading master to a new leader with every agent
 * re-registered, for 1 and 100 agents on real processes; in a process of its own.
 */
function failoverSuite(): boolean {
  const index = import.meta.resolve('@tessera/test-harness');
  const script = fileURLToPath(new URL('../bench/failover-bench.js', index));
  const run = spawnSync(process.execPath, [script, ...(quick ? ['--quick'] : [])], { stdio: 'inherit' });
  return run.status === 0;
}

/**
 * state-under-load (packages/http/bench): /health latency while 20 clients poll /state on 1,000
 * agents, against /health alone; in a process of its own.
 */
function httpSuite(): boolean {
  const index = import.meta.resolve('@tessera/http');
  const script = fileURLToPath(new URL('../bench/state-under-load.js', index));
  const run = spawnSync(process.execPath, [script, ...(quick ? ['--quick'] : [])], { stdio: 'inherit' });
  return run.status === 0;
}

function onlySuite(argv: readonly string[]): SuiteName | undefined {
  const at = argv.indexOf('--only');
  if (at < 0) return undefined;
  const name = argv[at + 1];
  if (!SUITES.includes(name as SuiteName)) {
    console.error(`--only takes one of ${SUITES.join(', ')}; got ${name ?? 'nothing'}`);
    process.exit(2);
  }
  return name as SuiteName;
}

const codecLines = selected('codec') ? codecSuite() : [];
const natsLines = selected('nats') ? await natsSuite() : [];
// The runtime's JSON lines close its part of the run, in the order they always had.
for (const line of [...natsLines, ...codecLines]) console.log(JSON.stringify(line));
const allocOk = selected('alloc') ? allocSuite() : true;
const launchOk = selected('launch') ? launchSuite() : true;
const failoverOk = selected('failover') ? failoverSuite() : true;
const httpOk = selected('http') ? httpSuite() : true;
// Exit at once, as before, rather than wait for handles a suite may have left open.
process.exit(allocOk && launchOk && failoverOk && httpOk ? 0 : 1);
