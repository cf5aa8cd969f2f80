import type { Attribute } from '@tessera/protocol';

/** An `--attributes` text Tessera cannot read; the message names the offending token. */
export class AttributeParseError extends Error {
  override readonly name = 'AttributeParseError';
}

// Mesos's grammar (docs/attributes-resources.md): `attributes : attribute (";" attribute)*`,
// `attribute : text ":" (scalar | ranges | set | text)`, `text : [a-zA-Z0-9_/.-]+`.
const TEXT = /^[A-Za-z0-9_/.-]+$/;
const SCALAR = /^-?(\d+\.?\d*|\.\d+)$/;
const RANGE = /^(\d+)-(\d+)$/;

/**
 * Reads the agent's `--attributes` text (`rack:r1;zone:{a,b};level:2;ports:[1-10]`) into
 * Mesos `Attribute`s: a number is SCALAR, `[a-b,...]` RANGES, `{x,y}` SET, anything else TEXT.
 * Stricter than Mesos in one way: a text value must match Mesos's documented text grammar, so a
 * typo (a stray bracket, a space) stops the agent instead of becoming a silently odd attribute.
 * @throws AttributeParseError on bad syntax.
 */
export function parseAttributes(text: string): Attribute[] {
  const out: Attribute[] = [];
  for (const raw of text.split(/[;\n]/)) {
    const token = raw.trim();
    if (token === '') continue;
    const fail = (why: string): never => {
      throw new AttributeParseError(`bad attribute '${token}': ${why}`);
    };
    const colon = token.indexOf(':');
    if (colon < 0) fail("expected name:value");
    const name = token.slice(0, colon).trim();
    const value = token.slice(colon + 1).trim();
    if (!TEXT.test(name)) fail(`the name must match [a-zA-Z0-9_/.-]+`);
    if (value === '') fail('empty value');
    out.push({ name, ...parseValue(value, fail) });
  }
  return out;
}

type AttributeValue = Omit<Attribute, 'name'>;

function parseValue(value: string, fail: (why: string) => never): AttributeValue {
  if (value.startsWith('[') || value.endsWith(']')) {
    const inner = enclosed(value, '[', ']', fail).replace(/\s+/g, '');
    const range = inner === '' ? [] : inner.split(',').map((part) => {
      const match = RANGE.exec(part);
      if (match === null) return fail(`bad range '${part}'`);
      const begin = Number(match[1]);
      const end = Number(match[2]);
      if (!Number.isSafeInteger(end)) fail(`range '${part}' is out of bounds`);
      if (begin > end) fail(`range '${part}' has begin > end`);
      return { begin, end };
    });
    return { type: 'RANGES', ranges: { range } };
  }
  if (value.startsWith('{') || value.endsWith('}')) {
    const inner = enclosed(value, '{', '}', fail);
    const item = inner.trim() === '' ? [] : inner.split(',').map((i) => i.trim());
    for (const i of item) if (!TEXT.test(i)) fail(`bad set item '${i}'`);
    return { type: 'SET', set: { item } };
  }
  if (SCALAR.test(value)) return { type: 'SCALAR', scalar: { value: Number(value) } };
  if (!TEXT.test(value)) fail(`'${value}' is neither a number, [ranges], {set} nor text [a-zA-Z0-9_/.-]+`);
  return { type: 'TEXT', text: { value } };
}

function enclosed(value: string, open: string, close: string, fail: (why: string) => never): string {
  const inner = value.slice(1, -1);
  if (value.length < 2 || !value.startsWith(open) || !value.endsWith(close) || /[[\]{}]/.test(inner)) fail('unbalanced brackets');
  return inner;
}
