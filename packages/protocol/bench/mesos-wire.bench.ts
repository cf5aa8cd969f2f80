// The Mesos v1 wire codecs against plain JSON. Run after a build:
//   node packages/protocol/dist/bench/mesos-wire.bench.js
// Prints one line per case: operations per second and microseconds per operation.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Messages } from '../src/messages/catalog.js';
import { decodeSchedulerCall, decodeSchedulerEvent, encodeSchedulerCall, encodeSchedulerEvent } from '../src/mesos-wire/index.js';
import { validateBody } from '../src/validation.js';

interface WireBenchResult {
  name: string;
  opsPerSec: number;
  usPerOp: number;
}

// Runs `op` for about 300 ms after a warm-up long enough for the JIT, and reports the rate.
function measure(name: string, op: () => unknown): WireBenchResult {
  for (let i = 0; i < 5_000; i++) op();
  let ops = 0;
  const start = performance.now();
  while (performance.now() - start < 300) {
    for (let i = 0; i < 50; i++) op();
    ops += 50;
  }
  const elapsed = performance.now() - start;
  return { name, opsPerSec: Math.round((ops / elapsed) * 1000), usPerOp: Math.round((elapsed * 1000 * 100) / ops) / 100 };
}

const resources = [
  { name: 'cpus', type: 'SCALAR' as const, scalar: { value: 8 }, allocation_info: { role: 'web' } },
  { name: 'mem', type: 'SCALAR' as const, scalar: { value: 16_384 }, allocation_info: { role: 'web' } },
  { name: 'disk', type: 'SCALAR' as const, scalar: { value: 100_000 }, allocation_info: { role: 'web' } },
  { name: 'ports', type: 'RANGES' as const, ranges: { range: [{ begin: 31000, end: 32000 }] }, allocation_info: { role: 'web' } },
];

/** An OFFERS event of ten agents' offers, the largest event a scheduler stream carries often. */
const offers: Messages['scheduler.Event'] = {
  type: 'OFFERS',
  offers: {
    offers: Array.from({ length: 10 }, (_, i) => ({
      id: { value: `5b2c4a9e-0000-4000-8000-000000000001-O${i}` },
      framework_id: { value: '5b2c4a9e-0000-4000-8000-000000000001-0000' },
      agent_id: { value: `5b2c4a9e-0000-4000-8000-000000000001-S${i}` },
      hostname: `agent-${i}.cluster.local`,
      resources,
      attributes: [{ name: 'rack', type: 'TEXT' as const, text: { value: `r${i % 3}` } }],
      allocation_info: { role: 'web' },
    })),
  },
};

const acknowledge: Messages['scheduler.Call'] = {
  type: 'ACKNOWLEDGE',
  framework_id: { value: '5b2c4a9e-0000-4000-8000-000000000001-0000' },
  acknowledge: { agent_id: { value: '5b2c4a9e-0000-4000-8000-000000000001-S0' }, task_id: { value: 'web.1' }, uuid: 'q83vEjRWeJCrze8SNFZ4kA==' },
};

/** The wire codec cases, each beside its JSON.stringify / JSON.parse + validate baseline. */
export function benchMesosWire(): WireBenchResult[] {
  const offersJson = encodeSchedulerEvent(offers, 'json');
  const offersProto = encodeSchedulerEvent(offers, 'protobuf');
  const ackJson = encodeSchedulerCall(acknowledge, 'json');
  const ackProto = encodeSchedulerCall(acknowledge, 'protobuf');
  const ackText = new TextDecoder().decode(ackJson);
  const offersText = new TextDecoder().decode(offersJson);
  const encoder = new TextEncoder();
  return [
    measure(`OFFERS(10) JSON.stringify baseline (${offersJson.length} B)`, () => encoder.encode(JSON.stringify(offers))),
    measure('OFFERS(10) encode json', () => encodeSchedulerEvent(offers, 'json')),
    measure(`OFFERS(10) encode protobuf (${offersProto.length} B)`, () => encodeSchedulerEvent(offers, 'protobuf')),
    measure('OFFERS(10) JSON.parse+validate baseline', () => validateBody('scheduler.Event', JSON.parse(offersText))),
    measure('OFFERS(10) decode json', () => decodeSchedulerEvent(offersJson, 'json')),
    measure('OFFERS(10) decode protobuf', () => decodeSchedulerEvent(offersProto, 'protobuf')),
    measure('ACKNOWLEDGE JSON.parse+validate baseline', () => validateBody('scheduler.Call', JSON.parse(ackText))),
    measure('ACKNOWLEDGE decode json', () => decodeSchedulerCall(ackJson, 'json')),
    measure('ACKNOWLEDGE decode protobuf', () => decodeSchedulerCall(ackProto, 'protobuf')),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of benchMesosWire()) {
    console.log(`${r.name.padEnd(48)} ${String(r.opsPerSec).padStart(10)} ops/s ${String(r.usPerOp).padStart(9)} us/op`);
  }
}
