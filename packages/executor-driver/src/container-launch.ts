import type { ContainerLaunch, RLimit } from '@tessera/protocol';
import type { CommandLine } from './command-line.js';

// How a task's command line becomes its container's: wrappers only for what the launcher cannot
// give the task by inheritance. Cgroups are inherited (cgroup-placement.ts), and limits equal to
// the launcher's own are too, so the default path execs nothing but the task. Node modules only
// (spawner-main imports this): the protocol import is types, erased at build.

type RLimitType = RLimit['type'];

/** A limit as the kernel holds it; undefined is unlimited. */
export interface LimitPair {
  soft: number | undefined;
  hard: number | undefined;
}

/** The rows of /proc/<pid>/limits, by Mesos's type. */
const LIMITS_ROW: Record<RLimitType, string> = {
  RLMT_AS: 'Max address space', RLMT_CORE: 'Max core file size', RLMT_CPU: 'Max cpu time', RLMT_DATA: 'Max data size',
  RLMT_FSIZE: 'Max file size', RLMT_LOCKS: 'Max file locks', RLMT_MEMLOCK: 'Max locked memory', RLMT_MSGQUEUE: 'Max msgqueue size',
  RLMT_NICE: 'Max nice priority', RLMT_NOFILE: 'Max open files', RLMT_NPROC: 'Max processes', RLMT_RSS: 'Max resident set',
  RLMT_RTPRIO: 'Max realtime priority', RLMT_RTTIME: 'Max realtime timeout', RLMT_SIGPENDING: 'Max pending signals', RLMT_STACK: 'Max stack size',
};

/** prlimit(1)'s option for each type: it takes every one of Mesos's, in their own units. */
const PRLIMIT_OPTION: Record<RLimitType, string> = {
  RLMT_AS: 'as', RLMT_CORE: 'core', RLMT_CPU: 'cpu', RLMT_DATA: 'data', RLMT_FSIZE: 'fsize', RLMT_LOCKS: 'locks',
  RLMT_MEMLOCK: 'memlock', RLMT_MSGQUEUE: 'msgqueue', RLMT_NICE: 'nice', RLMT_NOFILE: 'nofile', RLMT_NPROC: 'nproc',
  RLMT_RSS: 'rss', RLMT_RTPRIO: 'rtprio', RLMT_RTTIME: 'rttime', RLMT_SIGPENDING: 'sigpending', RLMT_STACK: 'stack',
};

/** A process's limits, from the text of /proc/<pid>/limits. */
export function parseLimits(text: string): Map<RLimitType, LimitPair> {
  const byRow = new Map<string, LimitPair>();
  for (const line of text.split('\n').slice(1)) {
    // Columns are padded: the name, then soft, hard and (maybe) units, split by 2+ spaces.
    const [name, soft, hard] = line.trim().split(/\s{2,}/);
    if (name === undefined || soft === undefined || hard === undefined) continue;
    byRow.set(name, { soft: limitValue(soft), hard: limitValue(hard) });
  }
  const limits = new Map<RLimitType, LimitPair>();
  for (const [type, row] of Object.entries(LIMITS_ROW) as [RLimitType, string][]) {
    const pair = byRow.get(row);
    if (pair !== undefined) limits.set(type, pair);
  }
  return limits;
}

function limitValue(text: string): number | undefined {
  return text === 'unlimited' ? undefined : Number(text);
}

/** The wanted limits the launcher does not already have (so the task would not inherit them). */
export function limitsToSet(wanted: readonly RLimit[] | undefined, own: ReadonlyMap<RLimitType, LimitPair>): RLimit[] {
  return (wanted ?? []).filter((limit) => {
    const have = own.get(limit.type);
    return have === undefined || have.soft !== limit.soft || have.hard !== limit.hard;
  });
}

/** The prlimit options that set `limits` (both sides unset: unlimited). */
export function prlimitOptions(limits: readonly RLimit[]): string[] {
  return limits.map((l) => `--${PRLIMIT_OPTION[l.type]}=${l.soft ?? 'unlimited'}:${l.hard ?? 'unlimited'}`);
}

/** What a container's launch needs on top of the plain command line; the tools are found on PATH. */
export interface ContainedCommand extends CommandLine {
  /** The wrappers, outermost first, for logs and tests. */
  wrappers: ('bwrap' | 'unshare' | 'prlimit')[];
}

/**
 * The command line that starts `line` as `container` says, with `own` the launcher's limits:
 * bubblewrap for the filesystem (and then for the pid namespace too: it drops the capabilities
 * unshare would need inside), `unshare --pid --fork --kill-child --mount-proc` for a pid namespace
 * alone, and prlimit, innermost, for limits that differ from the launcher's. With none of them
 * the line is returned as it is: no process but the task's.
 */
export function containedCommand(line: CommandLine, container: ContainerLaunch | undefined, cwd: string, own: ReadonlyMap<RLimitType, LimitPair>): ContainedCommand {
  const limits = limitsToSet(container?.rlimits, own);
  const filesystem = container?.filesystem;
  const usesBwrap = filesystem !== undefined && (filesystem.private_tmp || filesystem.read_only_host);
  const pid = container?.pid_namespace === true;
  if (limits.length === 0 && !usesBwrap && !pid) return { ...line, wrappers: [] };
  // Wrapped, the command is exec'd by the innermost wrapper: argv0 cannot be set, and a plain
  // command that cannot be exec'd fails with the wrapper's status 127 instead of the shell's.
  let argv = [line.file, ...line.args];
  const wrappers: ContainedCommand['wrappers'] = [];
  if (limits.length > 0) {
    argv = ['prlimit', ...prlimitOptions(limits), '--', ...argv];
    wrappers.unshift('prlimit');
  }
  if (usesBwrap) {
    argv = ['bwrap', ...bwrapOptions(filesystem!, cwd, pid), '--', ...argv];
    wrappers.unshift('bwrap');
  } else if (pid) {
    argv = ['unshare', '--pid', '--fork', '--kill-child', '--mount-proc', '--', ...argv];
    wrappers.unshift('unshare');
  }
  return { file: argv[0]!, args: argv.slice(1), wrappers };
}

function bwrapOptions(fs: NonNullable<ContainerLaunch['filesystem']>, sandbox: string, pid: boolean): string[] {
  const options = fs.read_only_host ? ['--ro-bind', '/', '/', '--dev', '/dev'] : ['--bind', '/', '/', '--dev-bind', '/dev', '/dev'];
  if (fs.private_tmp) options.push('--tmpfs', '/tmp');
  // After /tmp: a sandbox under /tmp is bound over the fresh tmpfs.
  options.push('--bind', sandbox, sandbox);
  if (pid) options.push('--unshare-pid', '--as-pid-1', '--proc', '/proc');
  return options;
}
