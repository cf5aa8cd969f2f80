/**
 * Resource text or a resource value was rejected: bad flag syntax, bad JSON, or a resource Mesos
 * would refuse (negative scalar, inverted range, invalid role, ...). The message names the
 * offending token or resource.
 */
export class ResourceParseError extends Error {
  override readonly name = 'ResourceParseError';
}
