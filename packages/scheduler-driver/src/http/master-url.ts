/**
 * Where the scheduler API of a master is. Mesos serves it at `/api/v1/scheduler`; a standby
 * answers 307 with `Location: //<leader host>:<port>/api/v1/scheduler`, a protocol-relative
 * address that keeps the scheme the request used.
 */

/** The path of the scheduler API on a Mesos (or Tessera) master. */
export const SCHEDULER_API_PATH = '/api/v1/scheduler';

/** True when `master` names an HTTP master (`http://...` or `https://...`) rather than a pid. */
export function isHttpMaster(master: string | undefined): master is string {
  return typeof master === 'string' && /^https?:\/\//i.test(master);
}

/**
 * The scheduler API URL of a master given as `http(s)://host:port` (a path, if given, must be
 * the API's own, as a user may paste it whole).
 * @throws TypeError naming what is wrong.
 */
export function schedulerApiUrl(master: string): URL {
  let url: URL;
  try {
    url = new URL(master);
  } catch {
    throw new TypeError(`options.master '${master}' is not a URL (http://host:port)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`options.master '${master}' must be http:// or https://`);
  if (url.username !== '' || url.password !== '') throw new TypeError(`options.master '${master}' must not carry credentials`);
  if (url.search !== '' || url.hash !== '') throw new TypeError(`options.master '${master}' must not have a query or fragment`);
  const path = url.pathname.replace(/\/+$/, '');
  if (path !== '' && path !== SCHEDULER_API_PATH) throw new TypeError(`options.master '${master}' must be the master's address (http://host:port), not the path '${url.pathname}'`);
  url.pathname = SCHEDULER_API_PATH;
  return url;
}

/**
 * The URL a 307's Location points to, read against the URL that was redirected: a
 * protocol-relative `//host:port/path` keeps its scheme, an absolute URL is taken as it is, a
 * path keeps host and scheme. Undefined when the Location is missing or not HTTP(S).
 */
export function redirectTarget(location: string | undefined, from: URL): URL | undefined {
  if (location === undefined || location.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(location.trim(), from);
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
}
