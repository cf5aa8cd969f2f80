// STAND-IN until @tessera/protocol's mesos-wire lands (contract: A → B): same names and
// signatures, JSON only. Replaced by a re-export of the real codecs.
import { validateBody, type Messages } from '@tessera/protocol';

export type WireFormat = 'json' | 'protobuf';
export const WIRE_CONTENT_TYPE: Record<WireFormat, string> = { json: 'application/json', protobuf: 'application/x-protobuf' };
type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

const mediaType = (header: string): string => header.split(';')[0]!.trim().toLowerCase();

export function wireFormatOf(contentType: string | undefined): WireFormat | undefined {
  if (contentType === undefined || contentType === '') return 'json';
  const type = mediaType(contentType);
  return type === 'application/json' ? 'json' : type === 'application/x-protobuf' ? 'protobuf' : undefined;
}

export function acceptedWireFormat(accept: string | undefined): WireFormat | undefined {
  if (accept === undefined || accept.trim() === '') return 'json';
  const ranges = accept.split(',').map((part) => {
    const [range, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return { range: range!, q: q === undefined ? 1 : Number(q.slice(2)) };
  }).filter((r) => r.q > 0);
  const allows = (type: string) => ranges.some((r) => r.range === type || r.range === '*/*' || r.range === 'application/*');
  return allows('application/json') ? 'json' : allows('application/x-protobuf') ? 'protobuf' : undefined;
}

export function decodeSchedulerCall(body: Uint8Array, format: WireFormat): Decoded<Messages['scheduler.Call']> {
  if (format === 'protobuf') return { ok: false, error: 'protobuf is not decoded yet' };
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch (err) {
    return { ok: false, error: `Failed to parse body into JSON: ${(err as Error).message}` };
  }
  const checked = validateBody('scheduler.Call', value);
  return checked.ok ? { ok: true, value: value as Messages['scheduler.Call'] } : { ok: false, error: checked.error };
}

export function encodeSchedulerEvent(event: Messages['scheduler.Event'], format: WireFormat): Uint8Array {
  if (format === 'protobuf') throw new Error('protobuf is not encoded yet');
  return Buffer.from(JSON.stringify(event));
}
