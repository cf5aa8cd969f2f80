import protobuf from 'protobufjs';

type Plain = Record<string, unknown>;

const INT32 = { min: -0x8000_0000, max: 0x7fff_ffff };
const UINT32 = { min: 0, max: 0xffff_ffff };
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;
const URL_SAFE_BASE64 = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}(?:==)?|[A-Za-z0-9_-]{3}=?)?$/;

/**
 * Checks a message in Mesos's JSON shape against its .proto type the way Mesos's JSON parser
 * (stout's protobuf.hpp) does, and returns the first fault as `<path>: <why>`, or undefined:
 * each field of the JSON type the proto declares (a string for string, bytes and enum fields, a
 * number for numbers, a list for repeated fields), enum names that exist, base64 that decodes,
 * and required fields present. Fields the proto does not declare are allowed (Mesos ignores them)
 * and their paths added to `ignored`; `null` counts as unset.
 */
export function checkAgainstProto(message: Plain, type: protobuf.Type, path: string, ignored: string[]): string | undefined {
  for (const name in message) {
    const value = message[name];
    const field = type.fields[name];
    if (field === undefined) {
      ignored.push(`${path}.${name}`);
      continue;
    }
    if (value === null) continue;
    const error = checkField(field.resolve(), value, `${path}.${name}`, ignored);
    if (error !== undefined) return error;
  }
  for (const field of type.fieldsArray) {
    if (field.required && (message[field.name] === undefined || message[field.name] === null)) {
      return `${path}: missing required field '${field.name}'`;
    }
  }
  return undefined;
}

function checkField(field: protobuf.Field, value: unknown, path: string, ignored: string[]): string | undefined {
  if (field.map) {
    if (!isPlainObject(value)) return `${path}: expected an object (a map), got ${describe(value)}`;
    for (const [key, item] of Object.entries(value)) {
      const error = checkValue(field, item, `${path}.${key}`, ignored);
      if (error !== undefined) return error;
    }
    return undefined;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) return `${path}: expected a list, got ${describe(value)}`;
    for (let i = 0; i < value.length; i++) {
      const error = checkValue(field, value[i], `${path}[${i}]`, ignored);
      if (error !== undefined) return error;
    }
    return undefined;
  }
  return checkValue(field, value, path, ignored);
}

function checkValue(field: protobuf.Field, value: unknown, path: string, ignored: string[]): string | undefined {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    // `values` maps names to numbers (and inherits numbers to names: only own keys are names).
    if (typeof value === 'string' && Object.prototype.hasOwnProperty.call(resolved.values, value)) return undefined;
    if (typeof value === 'string' || (typeof value === 'number' && resolved.valuesById[value] === undefined)) {
      return `${path}: ${JSON.stringify(value)} is not a value of ${fullName(resolved)}`;
    }
    return `${path}: expected the name of a ${fullName(resolved)} value, got ${describe(value)}`;
  }
  if (resolved instanceof protobuf.Type) {
    if (!isPlainObject(value)) return `${path}: expected an object (${fullName(resolved)}), got ${describe(value)}`;
    return checkAgainstProto(value, resolved, path, ignored);
  }
  return checkScalar(field.type, value, path);
}

function checkScalar(type: string, value: unknown, path: string): string | undefined {
  switch (type) {
    case 'string':
      return typeof value === 'string' ? undefined : `${path}: expected a string, got ${describe(value)}`;
    case 'bytes':
      if (typeof value !== 'string') return `${path}: expected base64 text, got ${describe(value)}`;
      return BASE64.test(value) || URL_SAFE_BASE64.test(value) ? undefined : `${path}: is not base64`;
    case 'bool':
      return typeof value === 'boolean' ? undefined : `${path}: expected true or false, got ${describe(value)}`;
    case 'double':
    case 'float':
      return typeof value === 'number' ? undefined : `${path}: expected a number, got ${describe(value)}`;
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return checkInteger(value, path, INT32);
    case 'uint32':
    case 'fixed32':
      return checkInteger(value, path, UINT32);
    case 'uint64':
    case 'fixed64':
      return checkInteger64(value, path, true);
    default: // int64, sint64, sfixed64
      return checkInteger64(value, path, false);
  }
}

function checkInteger(value: unknown, path: string, range: { min: number; max: number }): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) return `${path}: expected an integer, got ${describe(value)}`;
  return value >= range.min && value <= range.max ? undefined : `${path}: ${value} is out of range [${range.min}, ${range.max}]`;
}

/** 64-bit integers: a JSON number, or a string of digits as the proto3 JSON mapping writes them. */
function checkInteger64(value: unknown, path: string, unsigned: boolean): string | undefined {
  const pattern = unsigned ? /^\d+$/ : /^-?\d+$/;
  if (typeof value === 'string' && pattern.test(value)) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) return `${path}: expected an integer, got ${describe(value)}`;
  return unsigned && value < 0 ? `${path}: ${value} is negative` : undefined;
}

function fullName(reflected: protobuf.ReflectionObject): string {
  return reflected.fullName.replace(/^\./, '');
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${typeof value === 'string' ? 'a string' : typeof value === 'number' ? 'a number' : typeof value} ${JSON.stringify(value)}`.slice(0, 80);
}

function isPlainObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
