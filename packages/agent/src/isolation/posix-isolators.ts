import { Resources } from '@tessera/protocol';
import type { ContainerSpec, Isolator, IsolatorContext, LaunchPlan, RLimit } from './isolator.js';

// The isolators that need nothing of the host but POSIX: limits a process inherits. Usage in the
// posix fallback comes from /proc (the operator's statistics); kills are by process group.

/** posix/cpu: Mesos's, which only reports usage; CPU is not enforced without cgroups. */
export const posixCpu = (): Isolator => ({ name: 'posix/cpu', prepare: () => ({}), cleanup: () => {} });

/**
 * posix/mem: with no memory cgroup, RLIMIT_DATA at the container's `mem` for the agent's own
 * executors' tasks (each process may grow its heap that far; the whole container is not capped).
 * Not for a custom executor: it is a program of the framework's (often a JVM or Node, whose heap
 * reservations fail under a data limit of the container's size), and Mesos's posix/mem enforces
 * nothing. Not RLIMIT_AS: it breaks Node and JITs.
 */
export function posixMem(context: IsolatorContext): Isolator {
  return {
    name: 'posix/mem',
    prepare(spec: ContainerSpec): LaunchPlan {
      if (!context.settings.enforceMemoryRlimit || spec.executorKind === 'custom') return {};
      const bytes = Math.floor(Resources.of(spec.resources).scalar('mem') * 1024 * 1024);
      return bytes > 0 ? { rlimits: [{ type: 'RLMT_DATA', soft: bytes, hard: bytes }] } : {};
    },
    cleanup: () => {},
  };
}

/** Why a container's rlimits cannot be applied (Mesos's checks), or undefined. */
export function rlimitsProblem(rlimits: readonly RLimit[] | undefined): string | undefined {
  const seen = new Set<string>();
  for (const limit of rlimits ?? []) {
    if (seen.has(limit.type)) return `rlimit ${limit.type} is given twice`;
    seen.add(limit.type);
    if ((limit.soft === undefined) !== (limit.hard === undefined)) return `rlimit ${limit.type} needs both soft and hard, or neither (unlimited)`;
    if (limit.soft !== undefined && limit.soft > limit.hard!) return `rlimit ${limit.type} has soft ${limit.soft} above hard ${limit.hard}`;
  }
  return undefined;
}

/** posix/rlimits: the limits of the task's (or executor's) ContainerInfo.rlimit_info, as Mesos's. */
export const posixRlimits = (): Isolator => ({
  name: 'posix/rlimits',
  prepare(spec: ContainerSpec): LaunchPlan {
    const problem = rlimitsProblem(spec.rlimits);
    if (problem !== undefined) throw new Error(problem);
    return spec.rlimits === undefined || spec.rlimits.length === 0 ? {} : { rlimits: [...spec.rlimits] };
  },
  cleanup: () => {},
});

/** The limits every task gets from the agent's settings, whatever the isolation (before any isolator's). */
export function defaultRlimits(settings: IsolatorContext['settings']): RLimit[] {
  const limits: RLimit[] = [];
  if (settings.rlimitNofile > 0) limits.push({ type: 'RLMT_NOFILE', soft: settings.rlimitNofile, hard: settings.rlimitNofile });
  // The hard limit a second later: SIGXCPU, which a task may catch, comes before the kernel's SIGKILL.
  const cpu = settings.rlimitCpuSeconds;
  if (cpu !== undefined && cpu > 0) limits.push({ type: 'RLMT_CPU', soft: cpu, hard: cpu + 1 });
  return limits;
}
