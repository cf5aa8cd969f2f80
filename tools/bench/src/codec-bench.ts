/**
 * The cost of one message on the wire, measured on a realistic offer (one agent's resources
 * with ports, attributes): msgpack encode, decode, and schema validation of envelope and body.
 * Baseline in the same run: JSON.stringify + JSON.parse of the same envelope, no validation.
 */
import { decodeEnvelope, encodeEnvelope, validateEnvelope, type Offer, type RawEnvelope } from '@tessera/protocol';
import { round } from './stats.js';

/** An offer as a 10,000-agent cluster sends them: one agent, four kinds of resources, attributes. */
export function sampleOfferMessage(): RawEnvelope {
  const offer: Offer = {
    id: { value: '3f7a2c1e-9b8d-4e6f-a5c4-1d2e3f4a5b6c-O1042' },
    framework_id: { value: '3f7a2c1e-9b8d-4e6f-a5c4-1d2e3f4a5b6c-0007' },
    agent_id: { value: '3f7a2c1e-9b8d-4e6f-a5c4-1d2e3f4a5b6c-S311' },
    hostname: 'agent-311.rack-12.dc1.example.org',
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 7.5 }, allocation_info: { role: 'web' } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 30_720 }, allocation_info: { role: 'web' } },
      { name: 'disk', type: 'SCALAR', scalar: { value: 409_600 }, allocation_info: { role: 'web' } },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31_000, end: 31_099 }, { begin: 31_200, end: 32_000 }] }, allocation_info: { role: 'web' } },
    ],
    attributes: [
      { name: 'rack', type: 'TEXT', text: { value: 'rack-12' } },
      { name: 'zone', type: 'TEXT', text: { value: 'us-east-1a' } },
    ],
    allocation_info: { role: 'web' },
  };
  return { type: 'master.ResourceOffers', from: 'master@m1', to: 'scheduler(7)@fw7', id: 'k3j9x1-2bz', body: { offers: [offer] } };
}

export interface CodecResult { bytes: number; us: number; encodeUs: number; decodeUs: number; validateUs: number; jsonUs: number }

function timePerOp(iterations: number, op: () => unknown): number {
  let sink: unknown;
  const t0 = performance.now();
  for (let i = 0; i < iterations; i += 1) sink = op();
  const elapsed = performance.now() - t0;
  if (sink === undefined) throw new Error('benchmark op returned nothing');
  return (elapsed * 1000) / iterations;
}

/** Measures encode, decode and validate separately and end to end, after a warm-up. */
export function runCodecBench(options: { iterations: number }): CodecResult {
  const message = sampleOfferMessage();
  const bytes = encodeEnvelope(message);
  const decoded = decodeEnvelope(bytes);
  if (!validateEnvelope(decoded).ok) throw new Error('the sample offer does not validate');
  const endToEnd = (): unknown => validateEnvelope(decodeEnvelope(encodeEnvelope(message)));
  const json = (): unknown => JSON.parse(JSON.stringify(message));
  timePerOp(options.iterations, endToEnd);
  timePerOp(options.iterations, json);
  return {
    bytes: bytes.length,
    us: round(timePerOp(options.iterations, endToEnd), 2),
    encodeUs: round(timePerOp(options.iterations, () => encodeEnvelope(message)), 2),
    decodeUs: round(timePerOp(options.iterations, () => decodeEnvelope(bytes)), 2),
    validateUs: round(timePerOp(options.iterations, () => validateEnvelope(decoded)), 2),
    jsonUs: round(timePerOp(options.iterations, json), 2),
  };
}
