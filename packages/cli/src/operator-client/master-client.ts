import { validateBody } from '@tessera/protocol';
import type { OperatorCallBody } from './calls.js';
import { OperatorError } from './errors.js';
import { HttpClient, type HttpClientOptions } from './http-client.js';
import type { AgentState, AgentView, FileChunk, MasterState } from './view-types.js';

/** The master's address when none is given: `tessera master`'s default HTTP port on this machine. */
export const DEFAULT_MASTER_URL = 'http://127.0.0.1:5050';

/** Typed access to a master's views and `/api/v1` calls, following a standby's 307 to the leader. */
export class MasterClient {
  readonly http: HttpClient;

  constructor(readonly url: string = DEFAULT_MASTER_URL, private readonly options: HttpClientOptions = {}) {
    this.http = new HttpClient(url, options);
  }

  state(): Promise<MasterState> {
    return this.http.getJson<MasterState>('/state');
  }

  view<T>(path: string, query: Record<string, string | number> = {}): Promise<T> {
    return this.http.getJson<T>(path, query);
  }

  /** Sends a v1 operator call; a write answers 202 (undefined), a read its `{type, <type>: ...}` body. */
  call<T>(call: OperatorCallBody): Promise<T | undefined> {
    // The master would refuse it too; checking here means a CLI bug or bad input sends nothing.
    const validation = validateBody('operator.Call', call);
    if (!validation.ok) return Promise.reject(new OperatorError(`${call.type}: ${validation.error}`));
    return this.http.postJson<T>('/api/v1', call);
  }

  /** A call whose answer must carry the body named after its type (`get_weights` for GET_WEIGHTS). */
  async read<T>(call: OperatorCallBody): Promise<T> {
    const answer = await this.call<Record<string, unknown>>(call);
    const field = call.type.toLowerCase();
    if (answer === undefined || !(field in answer)) throw new OperatorError(`${call.type}: the master answered without '${field}'`);
    return answer[field] as T;
  }

  /** The agent's own HTTP server, at the hostname and port it registered with. */
  agent(agent: AgentView): AgentClient {
    if (agent.port === undefined || agent.port === 0) throw new OperatorError(`agent ${agent.id} (${agent.hostname}) registered without an HTTP port`);
    return new AgentClient(`http://${agent.hostname}:${agent.port}`, this.options);
  }
}

/** An agent's `/state` and sandbox files. */
export class AgentClient {
  readonly http: HttpClient;

  constructor(readonly url: string, options: HttpClientOptions = {}) {
    this.http = new HttpClient(url, options);
  }

  state(): Promise<AgentState> {
    return this.http.getJson<AgentState>('/state');
  }

  /** Up to `length` bytes of a sandbox file from `offset`; offset -1 answers the size as `offset`. */
  readFile(path: string, offset: number, length?: number): Promise<FileChunk> {
    return this.http.getJson<FileChunk>('/files/read', { path, offset, ...(length === undefined ? {} : { length }) });
  }
}
