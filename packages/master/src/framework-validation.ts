import type { FrameworkInfo } from '@tessera/protocol';
import { rolesOf } from './master-state.js';

/**
 * Why a role name is not valid (Mesos's rules: not empty, not `.` or `..`, no leading `-`, no
 * white space or control characters, path segments not empty and not `.` or `..`), or undefined.
 */
export function roleProblem(role: string): string | undefined {
  if (role === '*') return undefined;
  if (role.length === 0) return 'a role name cannot be empty';
  if (role.startsWith('-')) return `role '${role}' cannot start with '-'`;
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(role)) return `role '${role}' cannot contain white space or control characters`;
  for (const segment of role.split('/')) {
    if (segment === '' || segment === '.' || segment === '..' || segment === '*') return `role '${role}' has an invalid path segment '${segment}'`;
  }
  return undefined;
}

/** Why a SUBSCRIBE or UPDATE_FRAMEWORK's info is refused, or undefined when it is fine. */
export function frameworkInfoProblem(info: FrameworkInfo, suppressedRoles: readonly string[] = []): string | undefined {
  const roles = rolesOf(info);
  for (const role of roles) {
    const problem = roleProblem(role);
    if (problem !== undefined) return problem;
  }
  const held = new Set(roles);
  const stray = suppressedRoles.find((r) => !held.has(r));
  if (stray !== undefined) return `suppressed role '${stray}' is not one of the framework's roles`;
  if (info.failover_timeout !== undefined && !Number.isFinite(info.failover_timeout)) return 'failover_timeout must be a finite number of seconds';
  return undefined;
}

/** Roles named in a REVIVE or SUPPRESS that the framework does not hold. */
export function unheldRoles(held: ReadonlySet<string>, roles: readonly string[] | undefined): string[] {
  return (roles ?? []).filter((r) => !held.has(r));
}
