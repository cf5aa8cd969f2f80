/** The role of unreserved resources, and the default role of a framework that names none. */
export const ANY_ROLE = '*';

// Whitespace and DEL, as Mesos's src/common/roles.cpp rejects them: a role becomes a directory
// name and a metrics key, so it must survive both.
const FORBIDDEN = /[\t\n\v\f\r \x7f]/;

/**
 * Why `role` is not a valid role name, or `undefined` when it is. Follows Mesos (docs/roles.md):
 * `*` alone is valid; otherwise the name is a `/`-separated path of components, none empty, `.`,
 * `..` or `*`, none starting with `-`, and none containing whitespace.
 */
export function roleNameError(role: string): string | undefined {
  if (role === ANY_ROLE) return undefined;
  if (role === '') return 'a role name cannot be empty';
  if (role.startsWith('/')) return `role '${role}' cannot start with a slash`;
  if (role.endsWith('/')) return `role '${role}' cannot end with a slash`;
  if (role.includes('//')) return `role '${role}' cannot contain two adjacent slashes`;
  for (const component of role.split('/')) {
    if (component === '.' || component === '..' || component === ANY_ROLE) {
      return `role '${role}' cannot have '${component}' as a component`;
    }
    if (component.startsWith('-')) return `role '${role}' has a component starting with '-'`;
    if (FORBIDDEN.test(component)) return `role '${role}' contains whitespace or a control character`;
  }
  return undefined;
}

/** True when `child` lies strictly below `parent` in the role tree (`eng/web` below `eng`). */
export function isStrictSubrole(child: string, parent: string): boolean {
  return child.length > parent.length && child.startsWith(parent) && child.charCodeAt(parent.length) === 0x2f;
}
