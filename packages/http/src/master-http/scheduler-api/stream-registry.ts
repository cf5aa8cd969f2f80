import type { SchedulerStream } from './scheduler-stream.js';

/**
 * The open SUBSCRIBE streams of one master HTTP server, by pid. A call on another connection is
 * checked against the stream the master holds for its framework (the framework's scheduler pid):
 * its `Mesos-Stream-Id` must be that stream's, and it is sent from that stream.
 */
export class StreamRegistry {
  private readonly byPid = new Map<string, SchedulerStream>();

  add(stream: SchedulerStream): void {
    this.byPid.set(stream.pid, stream);
  }

  remove(stream: SchedulerStream): void {
    if (this.byPid.get(stream.pid) === stream) this.byPid.delete(stream.pid);
  }

  /** The stream whose process has this pid (a framework's scheduler pid), if it is one of ours. */
  at(pid: string): SchedulerStream | undefined {
    return this.byPid.get(pid);
  }

  get size(): number {
    return this.byPid.size;
  }
}
