import { createWriteStream } from 'node:fs';
import { copyFile, rm, stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { FetchError, type UriSource } from './fetch-uri.js';

/** What bounds one download. */
export interface DownloadLimits {
  /** The largest file fetched, in bytes: a bigger one fails the fetch. */
  maxBytes: number;
  signal: AbortSignal;
}

/**
 * Copies a local file or downloads an http(s) URL (following redirects) to `destination`, and
 * returns its size. A partial file is removed on failure.
 * @throws FetchError with the reason (a status, a missing file, the size cap, a network error).
 */
export async function download(source: UriSource, destination: string, limits: DownloadLimits): Promise<number> {
  limits.signal.throwIfAborted();
  try {
    return source.kind === 'local' ? await copyLocal(source.path, destination, limits) : await downloadHttp(source.url, destination, limits);
  } catch (e) {
    await rm(destination, { force: true }).catch(() => undefined);
    if (e instanceof FetchError) throw e;
    throw new FetchError(describe(e as Error));
  }
}

async function copyLocal(file: string, destination: string, limits: DownloadLimits): Promise<number> {
  const info = await stat(file);
  if (!info.isFile()) throw new FetchError(`'${file}' is not a regular file`);
  if (info.size > limits.maxBytes) throw new FetchError(tooBig(info.size, limits.maxBytes));
  await copyFile(file, destination);
  limits.signal.throwIfAborted();
  return info.size;
}

async function downloadHttp(url: URL, destination: string, limits: DownloadLimits): Promise<number> {
  const response = await fetch(url, { redirect: 'follow', signal: limits.signal });
  if (response.status !== 200 || response.body === null) {
    await response.body?.cancel().catch(() => undefined);
    // Mesos accepts 200 alone too: a 204 or 206 is not the file.
    throw new FetchError(`received HTTP status ${response.status}${response.statusText === '' ? '' : ` ${response.statusText}`}`);
  }
  const announced = Number(response.headers.get('content-length') ?? NaN);
  if (announced > limits.maxBytes) {
    await response.body.cancel().catch(() => undefined);
    throw new FetchError(tooBig(announced, limits.maxBytes));
  }
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(bytes > limits.maxBytes ? new FetchError(tooBig(bytes, limits.maxBytes)) : null, chunk);
    },
  });
  await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), counter, createWriteStream(destination), { signal: limits.signal });
  return bytes;
}

function tooBig(size: number, max: number): string {
  return `the file is over the fetcher's size cap (${size} bytes > ${max} bytes)`;
}

/** Node's fetch says "fetch failed" and hides the cause (ECONNREFUSED, a DNS error) one level down. */
function describe(error: Error): string {
  if (error.name === 'AbortError') return 'aborted';
  const cause = (error as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}
