/** The two encodings of Mesos's v1 HTTP APIs: the protobuf JSON mapping, or protobuf itself. */
export type WireFormat = 'json' | 'protobuf';

/** The media type each format is sent as. */
export const WIRE_CONTENT_TYPE: Record<WireFormat, string> = {
  json: 'application/json',
  protobuf: 'application/x-protobuf',
};

const FORMAT_OF_MEDIA_TYPE: ReadonlyMap<string, WireFormat> = new Map([
  ['application/json', 'json'],
  ['application/x-protobuf', 'protobuf'],
]);

/**
 * The format of a request body from its Content-Type: 'json' for application/json (or no header,
 * as curl users often forget it), 'protobuf' for application/x-protobuf, undefined for anything
 * else (the caller answers 415). Parameters such as `; charset=utf-8` and letter case are ignored.
 */
export function wireFormatOf(contentType: string | undefined): WireFormat | undefined {
  if (contentType === undefined || contentType.trim() === '') return 'json';
  return FORMAT_OF_MEDIA_TYPE.get(mediaType(contentType));
}

/**
 * The format to answer in, from an Accept header: undefined when neither JSON nor protobuf is
 * acceptable (the caller answers 406). A missing header, `*\/*` or `application/*` means JSON;
 * when both are acceptable JSON wins, as with Mesos. Quality values are honoured: `q=0` refuses.
 */
export function acceptedWireFormat(accept: string | undefined): WireFormat | undefined {
  if (accept === undefined || accept.trim() === '') return 'json';
  const ranges = accept.split(',').map(parseRange).filter((r) => r.type !== '');
  const accepts = (type: string): boolean => {
    const [main] = type.split('/');
    // The most specific range that matches decides (RFC 9110 §12.5.1).
    const match = ranges.find((r) => r.type === type) ?? ranges.find((r) => r.type === `${main}/*`) ?? ranges.find((r) => r.type === '*/*');
    return match !== undefined && match.q > 0;
  };
  if (accepts(WIRE_CONTENT_TYPE.json)) return 'json';
  if (accepts(WIRE_CONTENT_TYPE.protobuf)) return 'protobuf';
  return undefined;
}

function mediaType(header: string): string {
  return header.split(';')[0]!.trim().toLowerCase();
}

function parseRange(part: string): { type: string; q: number } {
  const [type, ...params] = part.split(';');
  const qParam = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
  const q = qParam === undefined ? 1 : Number(qParam.slice(2));
  return { type: type!.trim().toLowerCase(), q: Number.isFinite(q) ? q : 0 };
}
