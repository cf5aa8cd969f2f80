#!/usr/bin/env node
/**
 * `npm run bench`: the runtime's benchmarks, each against a baseline measured in the same run.
 * Prints a readable line per figure and ends each benchmark with one JSON line.
 *   --quick  fewer iterations (a smoke run; figures are noisier)
 */
import { runCodecBench } from './codec-bench.js';
import { runNatsBenches } from './nats-benches.js';

const quick = process.argv.includes('--quick');

const codec = runCodecBench({ iterations: quick ? 20_000 : 200_000 });
console.log(`codec: encode+decode+validate of a ${codec.bytes}-byte offer message: ${codec.us} us (encode ${codec.encodeUs}, decode ${codec.decodeUs}, validate ${codec.validateUs}); JSON.stringify+parse baseline ${codec.jsonUs} us`);

const nats = await runNatsBenches({ asks: quick ? 500 : 3_000, sends: quick ? 20_000 : 200_000, rounds: quick ? 1 : 3 });
const { ask, send } = nats;
console.log(`ask-rtt: raw NATS request p50 ${ask.rawP50Us} us (mean ${ask.rawMeanUs}); actor ask p50 ${ask.actorP50Us} us (mean ${ask.actorMeanUs}); ratio ${ask.ratio} (target <= 1.3)`);
console.log(`send-throughput: raw NATS publish ${send.rawPerS}/s; actor send ${send.actorPerS}/s; ratio ${send.ratio} (target >= 0.7)`);

console.log(JSON.stringify({ bench: 'ask-rtt', ratio: ask.ratio }));
console.log(JSON.stringify({ bench: 'send-throughput', ratio: send.ratio }));
console.log(JSON.stringify({ bench: 'codec', us: codec.us }));
process.exit(0);
