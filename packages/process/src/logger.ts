/** Severity of a log line. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Structured logging as the runtime needs it; services may plug in any logger with this shape. */
export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * Writes one JSON object a line to stderr, at `level` and above, stamped with the time (UTC, ISO
 * 8601 to the millisecond) as its first field. Lines logged in one turn of the
 * event loop go out in one write at its end (or at exit): writes to a file or pipe are synchronous,
 * and a new master logging 10,000 re-registering agents spent ~0.3 s in them, one write a line.
 */
export function stderrLogger(level: LogLevel = 'info'): Logger {
  return {
    log(at, message, fields) {
      if (RANK[at] < RANK[level]) return;
      stderrLines.add(`${JSON.stringify({ time: new Date().toISOString(), level: at, msg: message, ...fields })}\n`);
    },
  };
}

/** Lines waiting for the end of the turn; one buffer for every stderr logger of the process. */
class LineBuffer {
  private pending: string[] = [];
  private scheduled = false;

  constructor(private readonly stream: NodeJS.WritableStream) {
    process.on('exit', () => this.flush());
  }

  add(line: string): void {
    this.pending.push(line);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    // Synchronous for files and pipes on Linux, so lines flushed at exit are not lost.
    this.stream.write(text);
  }
}

const stderrLines = new LineBuffer(process.stderr);

/** Writes the stderr loggers' lines waiting for the end of the turn now (before a direct write to stderr). */
export function flushStderrLogs(): void {
  stderrLines.flush();
}

/** Keeps every line in memory: for tests that assert what was logged. */
export function memoryLogger(): Logger & { lines: { level: LogLevel; message: string; fields: Record<string, unknown> }[] } {
  const lines: { level: LogLevel; message: string; fields: Record<string, unknown> }[] = [];
  return { lines, log: (level, message, fields = {}) => { lines.push({ level, message, fields }); } };
}
