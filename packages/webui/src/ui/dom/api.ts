/**
 * The master's HTTP API as the UI uses it: JSON GETs, and the SUBSCRIBE event stream read with
 * fetch and a ReadableStream, framed by RecordIO. The page is served by the master, so its URLs
 * are relative; agents are reached at their own address.
 */
import { RecordIODecoder } from '../core/recordio.js';

export async function getJson(url: string, signal?: AbortSignal): Promise<unknown> {
  const response = await fetch(url, { headers: { Accept: 'application/json' }, ...(signal === undefined ? {} : { signal }) });
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = body !== null && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string' ? (body as { error: string }).error : response.statusText;
    throw new Error(`${url}: ${response.status} ${error}`);
  }
  return body;
}

export type StreamStatus = 'connecting' | 'live' | 'disconnected';

export interface EventStreamOptions {
  onEvent(event: unknown): void;
  onStatus(status: StreamStatus, detail?: string): void;
  /** Wait before reconnecting after the stream ends or fails. */
  retryMs?: number;
}

/**
 * Reads `POST /api/v1 {"type":"SUBSCRIBE"}` until stopped, reconnecting when it breaks (each new
 * stream starts with a SUBSCRIBED that carries the whole state). Returns the stop function.
 */
export function subscribe(options: EventStreamOptions): () => void {
  const retryMs = options.retryMs ?? 2000;
  let stopped = false;
  let controller: AbortController | undefined;
  const run = async (): Promise<void> => {
    while (!stopped) {
      controller = new AbortController();
      options.onStatus('connecting');
      try {
        await readStream(controller.signal, options);
        options.onStatus('disconnected', 'the master closed the stream');
      } catch (err) {
        if (stopped) return;
        options.onStatus('disconnected', (err as Error).message);
      }
      if (!stopped) await new Promise((resolve) => window.setTimeout(resolve, retryMs));
    }
  };
  void run();
  return () => {
    stopped = true;
    controller?.abort();
  };
}

async function readStream(signal: AbortSignal, options: EventStreamOptions): Promise<void> {
  const response = await fetch('api/v1', {
    method: 'POST', signal,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ type: 'SUBSCRIBE' }),
  });
  if (!response.ok || response.body === null) throw new Error(`SUBSCRIBE answered ${response.status}`);
  options.onStatus('live');
  const decoder = new RecordIODecoder();
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    for (const record of decoder.push(value)) options.onEvent(JSON.parse(record));
  }
}
