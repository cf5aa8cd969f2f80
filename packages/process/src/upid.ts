import { NAME_PATTERN } from '@tessera/protocol';

/**
 * A process address, `name@node`, as libprocess's UPID. Both parts become NATS subject tokens
 * (`tessera.<cluster>.<node>.<name>`), so they may not hold '.', '*', '>' or white space.
 */
export type UPID = string;

const NAME = new RegExp(`^${NAME_PATTERN}$`);

/** True when `name` may be a process or node name. */
export function isValidName(name: string): boolean {
  return NAME.test(name);
}

/** Builds `name@node`, refusing names that cannot be subject tokens. */
export function upid(name: string, node: string): UPID {
  if (!isValidName(name)) throw new Error(`invalid process name '${name}': use [A-Za-z0-9_-()], at most 128`);
  if (!isValidName(node)) throw new Error(`invalid node name '${node}': use [A-Za-z0-9_-()], at most 128`);
  return `${name}@${node}`;
}

/** Splits a UPID into its name and node, or undefined when it is not one. */
export function parseUpid(pid: string): { name: string; node: string } | undefined {
  const at = pid.indexOf('@');
  if (at <= 0 || at !== pid.lastIndexOf('@')) return undefined;
  const name = pid.slice(0, at);
  const node = pid.slice(at + 1);
  return isValidName(name) && isValidName(node) ? { name, node } : undefined;
}

/** The node part of a UPID (assumes a valid one). */
export function nodeOf(pid: UPID): string {
  return pid.slice(pid.indexOf('@') + 1);
}
