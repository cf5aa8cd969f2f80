/** Severity of a log line. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Structured logging as the runtime needs it; services may plug in any logger with this shape. */
export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Writes one JSON object a line to stderr, at `level` and above. */
export function stderrLogger(level: LogLevel = 'info'): Logger {
  return {
    log(at, message, fields) {
      if (RANK[at] < RANK[level]) return;
      process.stderr.write(`${JSON.stringify({ level: at, msg: message, ...fields })}\n`);
    },
  };
}

/** Keeps every line in memory: for tests that assert what was logged. */
export function memoryLogger(): Logger & { lines: { level: LogLevel; message: string; fields: Record<string, unknown> }[] } {
  const lines: { level: LogLevel; message: string; fields: Record<string, unknown> }[] = [];
  return { lines, log: (level, message, fields = {}) => { lines.push({ level, message, fields }); } };
}
