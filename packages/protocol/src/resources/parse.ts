import { Value } from '@sinclair/typebox/value';
import { toEntry, type Entry } from './entry.js';
import { ResourceParseError } from './errors.js';
import { ResourcesSchema, type Resource, type ResourceType } from './resource-schema.js';
import { ANY_ROLE, roleNameError } from './roles.js';

// Reads the agent's `--resources` text as Mesos's `Resources::parse` does: a JSON array of
// Resource objects, or the flag syntax `name[(role)]:value;...` where a value is a scalar `4.5`,
// intervals `[1-10,20-30]` or items `{a,b}`. Tessera is stricter than Mesos in a few places
// where Mesos silently ignores text (anything after the `)`, a stray `[`), because a typo in an
// agent's flags should stop the agent rather than change what it offers.

const SCALAR = /^\+?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const RANGE = /^(\d+)-(\d+)$/;
const BRACKETS = /[[\]{}()]/;

/**
 * The entries `text` describes, validated but not yet combined. `defaultRole` is the role of a
 * resource that names none (Mesos's deprecated `--default_role`); `*` means unreserved.
 */
export function parseEntries(text: string, defaultRole: string = ANY_ROLE): Entry[] {
  const roleProblem = roleNameError(defaultRole);
  if (roleProblem) throw new ResourceParseError(`bad default role: ${roleProblem}`);
  const trimmed = text.trim();
  const entries = trimmed.startsWith('[') ? parseJson(trimmed, defaultRole) : parseFlags(trimmed, defaultRole);
  // Mesos refuses one name with two types on the command line: `scalar('ports')` and
  // `ranges('ports')` would each see half of what the operator meant.
  const types = new Map<string, ResourceType>();
  for (const e of entries) {
    const seen = types.get(e.name);
    if (seen !== undefined && seen !== e.type) {
      throw new ResourceParseError(`resource '${e.name}' is given as both ${seen} and ${e.type}`);
    }
    types.set(e.name, e.type);
  }
  return entries;
}

function parseJson(text: string, defaultRole: string): Entry[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ResourceParseError(`resources are not valid JSON: ${(err as Error).message}`);
  }
  if (!Value.Check(ResourcesSchema, json)) {
    const first = Value.Errors(ResourcesSchema, json).First();
    const where = first ? `at ${first.path || '/'}: ${first.message}` : 'does not match the Resource schema';
    throw new ResourceParseError(`bad JSON resource ${where}`);
  }
  return json.map((resource) => {
    // As Mesos's fromJSON: a resource that names no role gets the default one.
    const withRole: Resource =
      resource.role === undefined && (resource.reservations ?? []).length === 0 ? { ...resource, role: defaultRole } : resource;
    return toEntry(withRole);
  });
}

function parseFlags(text: string, defaultRole: string): Entry[] {
  const entries: Entry[] = [];
  for (const token of text.split(';')) {
    if (token.trim() === '') continue; // `cpus:1;;mem:2;` is fine, as in Mesos
    entries.push(parseToken(token, defaultRole));
  }
  return entries;
}

function parseToken(token: string, defaultRole: string): Entry {
  const fail = (why: string): never => {
    throw new ResourceParseError(`${why} in '${token.trim()}'`);
  };
  const colon = token.indexOf(':');
  if (colon < 0) fail("missing ':'");
  if (token.indexOf(':', colon + 1) >= 0) fail("extra ':'");
  const { name, role } = parseHead(token.slice(0, colon), defaultRole, fail);
  const resource: Resource = { name, ...parseValue(token.slice(colon + 1), fail) };
  if (role !== ANY_ROLE) resource.reservations = [{ type: 'STATIC', role }];
  try {
    // The flag syntax may list overlapping intervals; Mesos merges them before validating.
    return toEntry(resource, true);
  } catch (err) {
    if (!(err instanceof ResourceParseError)) throw err;
    return fail(err.message);
  }
}

function parseHead(head: string, defaultRole: string, fail: (why: string) => never): { name: string; role: string } {
  const open = head.indexOf('(');
  const close = head.indexOf(')');
  if (open < 0 && close < 0) {
    const name = head.trim();
    if (name === '') fail('empty resource name');
    return { name, role: defaultRole };
  }
  if (open < 0 || close < open || head.indexOf('(', open + 1) >= 0 || head.indexOf(')', close + 1) >= 0) {
    fail('unbalanced parentheses');
  }
  if (head.slice(close + 1).trim() !== '') fail(`unexpected '${head.slice(close + 1).trim()}' after the role`);
  const name = head.slice(0, open).trim();
  if (name === '') fail('empty resource name');
  const role = head.slice(open + 1, close).trim();
  const problem = roleNameError(role);
  if (problem) fail(`bad role: ${problem}`);
  return { name, role };
}

type ParsedValue = Pick<Resource, 'type' | 'scalar' | 'ranges' | 'set'>;

function parseValue(raw: string, fail: (why: string) => never): ParsedValue {
  // Mesos drops spaces anywhere in a value: `[1-2, 4-5]` is fine.
  const text = raw.replace(/\s+/g, '');
  if (text === '') fail('empty value');
  if (text.startsWith('[') || text.endsWith(']')) {
    const inner = enclosed(text, '[', ']', fail);
    const range = inner === '' ? [] : inner.split(',').map((part) => parseRange(part, fail));
    return { type: 'RANGES', ranges: { range } };
  }
  if (text.startsWith('{') || text.endsWith('}')) {
    const inner = enclosed(text, '{', '}', fail);
    const item = inner === '' ? [] : inner.split(',');
    if (item.includes('')) fail('empty set item');
    return { type: 'SET', set: { item } };
  }
  if (BRACKETS.test(text)) fail('unbalanced brackets');
  if (text.startsWith('-') && SCALAR.test(text.slice(1))) fail(`negative value '${text}'`);
  if (!SCALAR.test(text)) fail(`'${text}' is not a number`);
  return { type: 'SCALAR', scalar: { value: Number(text) } };
}

// The text between one opening and one closing bracket, with no bracket of any kind inside.
function enclosed(text: string, open: string, close: string, fail: (why: string) => never): string {
  const inner = text.slice(1, -1);
  if (!text.startsWith(open) || !text.endsWith(close) || text.length < 2 || BRACKETS.test(inner)) {
    fail('unbalanced brackets');
  }
  return inner;
}

function parseRange(part: string, fail: (why: string) => never): { begin: number; end: number } {
  const match = RANGE.exec(part);
  if (!match) return fail(`bad range '${part}'`);
  const begin = Number(match[1]);
  const end = Number(match[2]);
  if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end)) fail(`range '${part}' is out of bounds`);
  if (begin > end) fail(`range '${part}' has begin > end`);
  return { begin, end };
}
