import { OperatorError, describeFetchFailure } from './errors.js';

/** How a client reaches a server; tests shorten the timeout. */
export interface HttpClientOptions {
  /** Redirects (307 to the leading master) followed before giving up; a loop is caught earlier. */
  maxRedirects?: number;
  /** Per request; a master that takes longer is reported, not waited on forever. */
  timeoutMs?: number;
}

/** A request as the CLI sends it: a GET of a view, or a POST of a JSON body. */
interface Request {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number>;
  body?: unknown;
}

/**
 * JSON over HTTP to one Tessera server (master or agent), over Node's fetch. Redirects are
 * followed by hand so that a 307 from a standby master is re-sent with its POST body to the
 * leader, and a redirect loop between two confused masters ends with a clear error instead of
 * undici's "fetch failed".
 */
export class HttpClient {
  private readonly maxRedirects: number;
  private readonly timeoutMs: number;

  constructor(readonly baseUrl: string, options: HttpClientOptions = {}) {
    this.maxRedirects = options.maxRedirects ?? 5;
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  /** GET `path` and its JSON body. */
  async getJson<T>(path: string, query: Record<string, string | number> = {}): Promise<T> {
    return (await this.send({ method: 'GET', path, query })) as T;
  }

  /** POST `body` as JSON; the answer's JSON body, or undefined for a 202 or an empty body. */
  async postJson<T>(path: string, body: unknown): Promise<T | undefined> {
    return (await this.send({ method: 'POST', path, body })) as T | undefined;
  }

  private async send(request: Request): Promise<unknown> {
    let url = new URL(request.path, this.baseUrl);
    for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, String(value));
    const visited = new Set<string>();
    for (let hop = 0; ; hop += 1) {
      visited.add(url.href);
      const response = await this.fetchOnce(url, request);
      if (response.status !== 307 && response.status !== 308) return this.readAnswer(url, request, response);
      const location = response.headers.get('location');
      await response.body?.cancel();
      if (location === null) throw new OperatorError(`${url.origin} redirected ${request.path} without a Location`, response.status);
      const next = new URL(location, url);
      if (visited.has(next.href)) throw new OperatorError(`redirect loop: ${[...visited, next.href].join(' -> ')} (no master knows the leader)`, response.status);
      if (hop + 1 > this.maxRedirects) throw new OperatorError(`more than ${this.maxRedirects} redirects from ${this.baseUrl}`, response.status);
      url = next;
    }
  }

  private async fetchOnce(url: URL, request: Request): Promise<Response> {
    try {
      return await fetch(url, {
        method: request.method,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: request.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      });
    } catch (err) {
      throw new OperatorError(`cannot reach ${url.origin}: ${describeFetchFailure(err)}`);
    }
  }

  private async readAnswer(url: URL, request: Request, response: Response): Promise<unknown> {
    const text = await response.text();
    if (!response.ok) {
      const what = `${request.method} ${url.pathname}${request.body === undefined ? '' : ` ${callType(request.body)}`}`;
      const error = errorOf(text);
      const reason = error ?? (text.trim() || response.statusText);
      // A bare 503 is a master that does not lead and knows no leader to redirect to.
      const hint = response.status === 503 && error === undefined ? ' (no leading master yet?)' : '';
      throw new OperatorError(`${what}: ${response.status} ${reason}${hint}`, response.status);
    }
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new OperatorError(`${request.method} ${url.pathname}: the answer is not JSON: ${text.slice(0, 80)}`);
    }
  }
}

/** The `error` of a JSON error body, if it is one. */
function errorOf(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof body.error === 'string') return body.message === undefined || typeof body.message !== 'string' ? body.error : `${body.error}: ${body.message}`;
    if (typeof body.message === 'string') return body.message;
  } catch {
    // Not JSON: the caller shows the text.
  }
  return undefined;
}

function callType(body: unknown): string {
  const type = (body as { type?: unknown }).type;
  return typeof type === 'string' ? type : '';
}
