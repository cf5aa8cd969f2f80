/**
 * How a nats-server is launched, and what it said.
 *
 * The binary comes from PATH or Debian's /usr/sbin (CI installs it with apt). On Linux the server
 * runs under `setpriv --pdeathsig SIGKILL`: the kernel then kills it if the test process dies in a
 * way no exit handler sees (SIGKILL, a default-action SIGTERM), so no nats-server outlives its run.
 *
 * Its last output lines are kept so that a failed start quotes the server's own words ("address
 * already in use", a config error) instead of a bare timeout.
 */
import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';

/** Where Debian's package and a manual install put the binary, for PATHs without sbin. */
const FALLBACK_BINARIES = ['/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/usr/bin/nats-server'];

/** How to spawn a server: `file` with `args` in front of the server's own arguments. */
export interface LaunchCommand {
  file: string;
  args: string[];
  /** The nats-server binary itself (for messages). */
  binary: string;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function findOnPath(name: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The path of the nats-server binary: the first on `searchPath` (default $PATH), else one of
 * `fallbacks`. Throws an error that says how to install it when there is none.
 */
export function findNatsServer(searchPath = process.env['PATH'] ?? '', fallbacks = FALLBACK_BINARIES): string {
  const found = findOnPath('nats-server', searchPath) ?? fallbacks.find(isExecutable);
  if (found !== undefined) return found;
  throw new Error(
    'nats-server not found on PATH nor in ' +
      `${fallbacks.join(', ') || '(no fallbacks)'}; install it with \`apt-get install -y nats-server\``,
  );
}

let cached: LaunchCommand | undefined;

/** The command that starts a server, resolved once per process. */
export function natsLaunchCommand(): LaunchCommand {
  if (cached !== undefined) return cached;
  const binary = findNatsServer();
  const setpriv = process.platform === 'linux' ? findOnPath('setpriv', `${process.env['PATH'] ?? ''}:/usr/bin:/bin`) : undefined;
  // setpriv execs the server in place, so the pid we hold is the server's own.
  cached = setpriv
    ? { file: setpriv, args: ['--pdeathsig', 'SIGKILL', '--', binary], binary }
    : { file: binary, args: [], binary };
  return cached;
}

// --- output ---

/** A bounded buffer of the most recent output lines of one process. */
export class OutputTail {
  private lines: string[] = [];
  private partial = '';

  constructor(private readonly limit = 40) {}

  /** Append a chunk as it arrives; lines may be split across chunks. */
  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts.filter((line) => line.length > 0));
    if (this.lines.length > this.limit) this.lines.splice(0, this.lines.length - this.limit);
  }

  /** Forget everything; a restart starts a new story. */
  clear(): void {
    this.lines = [];
    this.partial = '';
  }

  /** The kept lines, oldest first, plus any unterminated last line. */
  text(): string {
    return [...this.lines, ...(this.partial ? [this.partial] : [])].join('\n');
  }
}

/**
 * The last `lines` lines of a log file, or '' when it cannot be read. Synchronous because it only
 * runs on the failure path, and reads at most the file's last 16 KB.
 */
export function fileTail(file: string, lines = 40): string {
  try {
    const size = statSync(file).size;
    const length = Math.min(size, 16_384);
    const buffer = Buffer.alloc(length);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, length, size - length);
    } finally {
      closeSync(fd);
    }
    return buffer.toString('utf8').split('\n').filter(Boolean).slice(-lines).join('\n');
  } catch {
    return '';
  }
}
