import { Kind, type TSchema } from '@sinclair/typebox';

/**
 * How one schema's values travel: `pack` turns a value into its wire form, `unpack` back.
 * Objects with a closed set of properties travel as arrays in the schema's property order
 * (as protobuf travels by field number), so property names are not sent and not re-read: an
 * absent optional property is a nil, trailing nils are cut. Everything else travels as is.
 *
 * Neither direction validates; validation happens after `unpack`, against the same schema. So
 * both directions must keep what does not fit unchanged: `pack` sends an object with a property
 * the schema does not know as a plain map, and `unpack` leaves a value that is not the array it
 * expects as it is, for the validator to reject with a clear error.
 *
 * Evolving a schema: add new properties at the end of an object, never in the middle, and
 * never reorder; a reordered schema reads old bytes into the wrong fields.
 */
export interface WireShape {
  pack(value: unknown): unknown;
  unpack(wire: unknown): unknown;
}

const IDENTITY: WireShape = { pack: (v) => v, unpack: (w) => w };

/** Compiles the wire shape of a schema (once per message type). */
export function wireShape(schema: TSchema): WireShape {
  switch (schema[Kind]) {
    case 'Object':
      return schema.additionalProperties === false ? objectShape(schema) : IDENTITY;
    case 'Array':
      return arrayShape(wireShape(schema.items as TSchema));
    case 'Null':
      throw new Error('a schema may not use null: on the wire nil means an absent property');
    default:
      return IDENTITY;
  }
}

function arrayShape(item: WireShape): WireShape {
  if (item === IDENTITY) return IDENTITY;
  return {
    pack: (value) => (Array.isArray(value) ? value.map(item.pack) : value),
    unpack: (wire) => (Array.isArray(wire) ? wire.map(item.unpack) : wire),
  };
}

/**
 * An object's shape is generated code, as ajv generates its validators: property names appear
 * as literals, so V8 compiles fixed property loads and builds decoded objects with stable
 * hidden classes (which the validator, reading them next, also profits from).
 */
function objectShape(schema: TSchema): WireShape {
  const names = Object.keys(schema.properties as Record<string, TSchema>);
  const shapes = names.map((name) => wireShape((schema.properties as Record<string, TSchema>)[name]!));
  const key = (i: number): string => JSON.stringify(names[i]);
  const packField = (i: number): string => (shapes[i] === IDENTITY ? `f${i}` : `shapes[${i}].pack(f${i})`);
  const unpackField = (i: number): string => (shapes[i] === IDENTITY ? 'x' : `shapes[${i}].unpack(x)`);
  const pack = `
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    let present = 0;
    ${names.map((_, i) => `const f${i} = v[${key(i)}]; if (f${i} !== undefined) present += 1;`).join('\n    ')}
    // A property the schema does not know: send the map as it is, for the receiver to reject.
    if (present !== countDefined(v)) return v;
    const out = [${names.map((_, i) => `f${i} === undefined ? null : ${packField(i)}`).join(', ')}];
    while (out.length > 0 && out[out.length - 1] === null) out.pop();
    return out;`;
  const unpack = `
    if (!Array.isArray(w) || w.length > ${names.length}) return w;
    const o = {};
    let x;
    ${names.map((_, i) => `if (w.length > ${i} && (x = w[${i}]) !== null && x !== undefined) o[${key(i)}] = ${unpackField(i)};`).join('\n    ')}
    return o;`;
  return {
    pack: new Function('shapes', 'countDefined', `return function pack(v) {${pack}\n  };`)(shapes, countDefined) as WireShape['pack'],
    unpack: new Function('shapes', `return function unpack(w) {${unpack}\n  };`)(shapes) as WireShape['unpack'],
  };
}

function countDefined(record: Record<string, unknown>): number {
  let count = 0;
  for (const key in record) if (record[key] !== undefined) count += 1;
  return count;
}
