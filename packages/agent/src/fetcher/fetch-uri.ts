import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandUri } from '@tessera/protocol';

/** Where a URI's bytes come from: a file on this machine or an http(s) server. */
export type UriSource = { kind: 'local'; path: string } | { kind: 'http'; url: URL };

/** A URI the fetcher cannot take; its message says why, for the task's failure. */
export class FetchError extends Error {}

/**
 * Reads a URI as Mesos's fetcher does, less what Tessera does not fetch: an absolute path or a
 * `file://` URL is local, `http://` and `https://` are downloaded; a relative path (Mesos's
 * `--frameworks_home`) and other schemes (ftp, hdfs) are refused.
 * @throws FetchError naming the problem.
 */
export function uriSource(value: string): UriSource {
  const uri = value.trimStart();
  // As Mesos: these would break the shell quoting of a fetched name.
  if (/['\\\0]/.test(uri)) throw new FetchError('illegal characters in URI (quote, backslash or NUL)');
  if (uri.startsWith('file://')) {
    try {
      return { kind: 'local', path: fileURLToPath(uri.startsWith('file://localhost/') ? `file://${uri.slice('file://localhost'.length)}` : uri) };
    } catch (e) {
      throw new FetchError(`not a file URL with an absolute path: ${(e as Error).message}`);
    }
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(uri)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new FetchError('malformed URL');
    }
    return { kind: 'http', url };
  }
  if (scheme !== undefined) throw new FetchError(`unsupported scheme '${scheme}': Tessera fetches absolute paths, file:// and http(s):// URLs`);
  if (!path.isAbsolute(uri)) throw new FetchError('a relative path needs a frameworks home, which Tessera does not have: give an absolute path');
  return { kind: 'local', path: uri };
}

/** The name of the fetched file in the sandbox: `output_file`, or the URI's last path segment. */
export function outputName(uri: CommandUri, source: UriSource): string {
  if (uri.output_file !== undefined) return uri.output_file;
  const base = source.kind === 'local' ? path.basename(source.path) : decodeURIComponent(source.url.pathname.slice(source.url.pathname.lastIndexOf('/') + 1));
  if (base === '' || base === '.' || base === '..') throw new FetchError('malformed URI (no file name in its path): give output_file');
  return base;
}

/**
 * The absolute path of `name` in the sandbox. `name` may hold directories (Mesos makes them), but
 * may not leave the sandbox.
 * @throws FetchError for an absolute name or one that climbs out.
 */
export function sandboxTarget(directory: string, name: string): string {
  if (path.isAbsolute(name)) throw new FetchError(`output file '${name}' must be relative to the sandbox`);
  const target = path.resolve(directory, name);
  const relative = path.relative(directory, target);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) throw new FetchError(`output file '${name}' is outside the sandbox`);
  return target;
}

/** The cache key of a URI (Mesos's: the URI, prefixed with the command's user if it names one). */
export function cacheKey(uri: CommandUri, user: string | undefined): string {
  return user === undefined ? uri.value : `${user}@${uri.value}`;
}
