import { createWriteStream, type WriteStream } from 'node:fs';
import type { RawEnvelope } from '@tessera/protocol';

/** Whether a recorded message left this node's processes or was delivered to one. */
export type Direction = 'in' | 'out';

/** One line of a message log. */
export interface LogRecord {
  /** The recording runtime's clock, in ms. */
  t: number;
  dir: Direction;
  node: string;
  message: RawEnvelope;
}

/** Receives every message a runtime sends and delivers. */
export interface MessageRecorder {
  record(direction: Direction, t: number, message: RawEnvelope): void;
}

/**
 * Appends every message to a log file, one JSON object a line, through a buffered stream (no
 * synchronous write per message). Bodies are JSON already: the protocol carries bytes as base64.
 */
export class FileRecorder implements MessageRecorder {
  private readonly stream: WriteStream;
  private failure: Error | undefined;

  constructor(readonly path: string, private readonly node: string) {
    this.stream = createWriteStream(path, { flags: 'a' });
    this.stream.on('error', (err) => { this.failure = err; });
  }

  record(dir: Direction, t: number, message: RawEnvelope): void {
    const line: LogRecord = { t, dir, node: this.node, message };
    this.stream.write(`${JSON.stringify(line)}\n`);
  }

  /** Flushes and closes the log; rejects if any write failed. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stream.end(() => (this.failure === undefined ? resolve() : reject(this.failure)));
    });
  }
}

/** Keeps records in memory: for tests, and for comparing a replay with its recording. */
export class MemoryRecorder implements MessageRecorder {
  readonly records: LogRecord[] = [];

  constructor(private readonly node: string) {}

  record(dir: Direction, t: number, message: RawEnvelope): void {
    this.records.push({ t, dir, node: this.node, message: structuredClone(message) });
  }
}
