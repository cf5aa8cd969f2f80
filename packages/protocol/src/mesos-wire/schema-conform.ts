import type { TSchema } from '@sinclair/typebox';

/** What conforming a Mesos message to a Tessera schema gives: the value, or why it cannot. */
export type Conformed = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * Fits a message in Mesos's JSON shape to one of Tessera's schemas before validation, by Mesos's
 * own JSON rules (stout's protobuf parser):
 * - a field the schema does not model is dropped and its path added to `ignored` (Mesos ignores
 *   fields it does not know; Tessera also ignores those Mesos knows but Tessera does not model);
 * - `null` means unset;
 * - a repeated field the schema requires but the message leaves out is empty (protobuf cannot
 *   tell an empty list from a missing one);
 * - a string outside an enumeration is refused, naming the field and the values allowed (the
 *   value is one Mesos defines, checked before: see proto-check.ts).
 * Everything else (types, required fields, bounds) is left to the schema's validator.
 */
export function conformToSchema(value: unknown, schema: TSchema, path: string, ignored: string[]): Conformed {
  const allowed = enumerationOf(schema);
  if (allowed !== undefined) {
    if (typeof value === 'string' && !allowed.includes(value)) {
      return { ok: false, error: `${path}: ${value} is not supported by Tessera (only ${allowed.join(', ')})` };
    }
    return { ok: true, value };
  }
  if (schema['type'] === 'array' && Array.isArray(value)) return conformArray(value, schema, path, ignored);
  if (schema['type'] === 'object' && isPlainObject(value)) return conformObject(value, schema, path, ignored);
  return { ok: true, value };
}

function conformArray(value: unknown[], schema: TSchema, path: string, ignored: string[]): Conformed {
  const items = schema['items'] as TSchema | undefined;
  if (items === undefined) return { ok: true, value };
  const out: unknown[] = [];
  for (let i = 0; i < value.length; i++) {
    const item = conformToSchema(value[i], items, `${path}[${i}]`, ignored);
    if (!item.ok) return item;
    out.push(item.value);
  }
  return { ok: true, value: out };
}

function conformObject(value: Record<string, unknown>, schema: TSchema, path: string, ignored: string[]): Conformed {
  const properties = (schema['properties'] ?? {}) as Record<string, TSchema>;
  const closed = schema['additionalProperties'] === false;
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const field = value[key];
    if (field === null) continue;
    const fieldSchema = properties[key];
    if (fieldSchema === undefined) {
      if (closed) ignored.push(`${path}.${key}`);
      else out[key] = field;
      continue;
    }
    const conformed = conformToSchema(field, fieldSchema, `${path}.${key}`, ignored);
    if (!conformed.ok) return conformed;
    out[key] = conformed.value;
  }
  for (const key of (schema['required'] ?? []) as string[]) {
    if (out[key] === undefined && properties[key]?.['type'] === 'array') out[key] = [];
  }
  return { ok: true, value: out };
}

/** The strings a union of string literals allows, or undefined for any other schema. */
function enumerationOf(schema: TSchema): string[] | undefined {
  const members = schema['anyOf'] as TSchema[] | undefined;
  if (members === undefined || members.length === 0) return undefined;
  const values = members.map((m) => m['const']);
  return values.every((v) => typeof v === 'string') ? (values as string[]) : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
