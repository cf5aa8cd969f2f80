import type { Runtime } from '@tessera/process';
import type { ExecutorStream } from './executor-stream.js';

const key = (frameworkId: string, executorId: string): string => `${frameworkId}\u0000${executorId}`;

/**
 * The executor streams the agent has answered SUBSCRIBED, by framework and executor: calls on
 * other connections are sent from the one found here. One per executor, as in Mesos: a newer
 * subscription ends the older stream, once the agent has moved to the newer (so that the older
 * one's end is not taken for the executor's death).
 */
export class ExecutorSubscriptions {
  private readonly current = new Map<string, ExecutorStream>();

  constructor(private readonly runtime: Runtime) {}

  /** The stream that speaks for the executor, if it is subscribed over HTTP. */
  get(frameworkId: string, executorId: string): ExecutorStream | undefined {
    return this.current.get(key(frameworkId, executorId));
  }

  /** `stream` was answered SUBSCRIBED: it replaces (and ends) the executor's older stream. */
  subscribed(stream: ExecutorStream): void {
    const id = key(stream.frameworkId, stream.executorId);
    const older = this.current.get(id);
    this.current.set(id, stream);
    if (older !== undefined && older !== stream) this.runtime.terminate(older.pid);
  }

  /** `stream` ended: forgotten, unless a newer one took its place already. */
  ended(stream: ExecutorStream): void {
    const id = key(stream.frameworkId, stream.executorId);
    if (this.current.get(id) === stream) this.current.delete(id);
  }

  get size(): number {
    return this.current.size;
  }
}
