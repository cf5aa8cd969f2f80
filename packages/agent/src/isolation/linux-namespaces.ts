import type { Isolator, IsolatorContext } from './isolator.js';

// Isolators that are only a wrapper around the task's command (the launcher adds it): nothing to
// make beforehand, nothing to remove after.

/**
 * namespaces/pid: the task starts as pid 1 of a new pid namespace with its own /proc, so it sees
 * and can signal only its own processes; when it ends, the kernel kills the rest of the
 * namespace. (As pid 1, a signal it has no handler for is ignored: a kill waits out the grace
 * period and ends with SIGKILL.) Needs `unshare --pid --fork --mount-proc` (util-linux).
 */
export function namespacesPid(context: IsolatorContext): Isolator | string {
  if (context.host.unshare === undefined) return context.host.missing.unshare ?? 'unshare --pid does not work here';
  return { name: 'namespaces/pid', prepare: () => ({ pidNamespace: true }), cleanup: () => {} };
}

/**
 * filesystem/linux: the task sees the host read-only except its sandbox, and a /tmp of its own
 * (a tmpfs that goes with it), through bubblewrap in a new mount namespace.
 */
export function filesystemLinux(context: IsolatorContext): Isolator | string {
  if (context.host.bubblewrap === undefined) return context.host.missing.bwrap ?? 'bubblewrap (bwrap) does not work here';
  return { name: 'filesystem/linux', prepare: () => ({ filesystem: { privateTmp: true, readOnlyHost: true } }), cleanup: () => {} };
}
