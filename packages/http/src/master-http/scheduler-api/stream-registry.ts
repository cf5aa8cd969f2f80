import type { SchedulerStream } from './scheduler-stream.js';

/**
 * The open SUBSCRIBE streams of one master HTTP server, by `Mesos-Stream-Id` and by pid: a call
 * on another connection is checked against the stream the master holds for its framework (by
 * that stream's pid) and sent from it.
 */
export class StreamRegistry {
  private readonly byId = new Map<string, SchedulerStream>();
  private readonly byPid = new Map<string, SchedulerStream>();

  add(stream: SchedulerStream): void {
    this.byId.set(stream.streamId, stream);
    this.byPid.set(stream.pid, stream);
  }

  remove(stream: SchedulerStream): void {
    if (this.byId.get(stream.streamId) === stream) this.byId.delete(stream.streamId);
    if (this.byPid.get(stream.pid) === stream) this.byPid.delete(stream.pid);
  }

  /** The stream whose process has this pid (a framework's scheduler pid), if it is one of ours. */
  at(pid: string): SchedulerStream | undefined {
    return this.byPid.get(pid);
  }

  withId(streamId: string): SchedulerStream | undefined {
    return this.byId.get(streamId);
  }

  get size(): number {
    return this.byId.size;
  }
}
