import type { FastifyReply } from 'fastify';
import { WIRE_CONTENT_TYPE, acceptedWireFormat, wireFormatOf, type WireFormat } from '@tessera/protocol';

/** A refusal as Mesos words it: a status and a one-line reason, sent as text/plain. */
export interface Refusal {
  status: 400 | 403 | 405 | 406 | 415 | 503;
  message: string;
}

/** Sends a refusal as Mesos's master does: the reason as the text/plain body. */
export function refuse(reply: FastifyReply, refusal: Refusal): FastifyReply {
  return reply.code(refusal.status).type('text/plain; charset=utf-8').send(refusal.message);
}

/** The encoding of a call's body, from its Content-Type (Mesos needs the header: 400 without it). */
export function callFormat(contentType: string | undefined): WireFormat | Refusal {
  if (contentType === undefined || contentType.trim() === '') return { status: 400, message: "Expecting 'Content-Type' to be present" };
  return wireFormatOf(contentType) ?? { status: 415, message: `Expecting 'Content-Type' of ${WIRE_CONTENT_TYPE.json} or ${WIRE_CONTENT_TYPE.protobuf}` };
}

/** How a SUBSCRIBE stream is encoded, and the response headers that say so. */
export interface StreamMedia {
  format: WireFormat;
  headers: Record<string, string>;
}

const RECORDIO = 'application/recordio';

/**
 * The stream's encoding as the request's Accept asks, among the `offered` formats. Mesos's
 * scheduler clients send `Accept: application/json` (or x-protobuf) and get records in that type
 * (JSON preferred when both are allowed). Clients of Mesos's streaming operator calls may send
 * `Accept: application/recordio` with `Message-Accept` naming the records' type: that form is
 * answered in kind, with `Message-Content-Type`.
 */
export function streamMedia(accept: string | undefined, messageAccept: string | undefined, offered: readonly WireFormat[] = ['json', 'protobuf']): StreamMedia | Refusal {
  const allowed = offered.map((f) => `'${WIRE_CONTENT_TYPE[f]}'`).join(' or ');
  if (accept !== undefined && namesRecordIO(accept)) {
    const format = pick(messageAccept, offered);
    if (format === undefined) return { status: 406, message: `Expecting 'Message-Accept' to allow ${allowed}` };
    return { format, headers: { 'Content-Type': RECORDIO, 'Message-Content-Type': WIRE_CONTENT_TYPE[format] } };
  }
  const format = pick(accept, offered);
  if (format === undefined) return { status: 406, message: `Expecting 'Accept' to allow ${allowed}` };
  return { format, headers: { 'Content-Type': WIRE_CONTENT_TYPE[format] } };
}

/** The format Accept prefers (JSON when it allows both), if it is offered. */
function pick(accept: string | undefined, offered: readonly WireFormat[]): WireFormat | undefined {
  const preferred = acceptedWireFormat(accept);
  return preferred !== undefined && offered.includes(preferred) ? preferred : undefined;
}

function namesRecordIO(accept: string): boolean {
  return accept.split(',').some((part) => {
    const [range, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    return range === RECORDIO && !params.some((p) => /^q=0(\.0*)?$/.test(p));
  });
}

/** True when a value is a refusal rather than what was asked for. */
export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && 'status' in value && 'message' in value;
}
