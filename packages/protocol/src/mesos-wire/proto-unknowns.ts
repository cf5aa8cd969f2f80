import protobuf from 'protobufjs';

// In proto2 an enum field whose number the .proto does not define is not set: the decoder keeps
// the raw bytes with the message's unknown fields (protobufjs: `$unknowns`), as C++ protobuf does.
// Mesos then answers as if the field were missing. Tessera looks for such fields so that a bad
// enum number is reported as what it is.

interface Decoded {
  $type?: protobuf.Type;
  $unknowns?: Uint8Array[];
  [field: string]: unknown;
}

/** The first enum field of `message` (or of a message inside it) that held an undefined number. */
export function undefinedEnumIn(message: unknown, path: string): string | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const decoded = message as Decoded;
  const type = decoded.$type;
  if (type === undefined) return undefined;
  const own = undefinedEnumOf(decoded, type, path);
  if (own !== undefined) return own;
  for (const field of type.fieldsArray) {
    const value = decoded[field.name];
    if (!(field.resolvedType instanceof protobuf.Type) || value === undefined || value === null) continue;
    if (field.map) continue;
    const items = field.repeated ? (value as unknown[]) : [value];
    for (let i = 0; i < items.length; i++) {
      const found = undefinedEnumIn(items[i], field.repeated ? `${path}.${field.name}[${i}]` : `${path}.${field.name}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * The same, for the message a failed decode stopped at (protobufjs's ProtocolError carries it):
 * a required enum with an undefined number reads as "missing", which would mislead.
 */
export function undefinedEnumInFailedDecode(err: unknown): string | undefined {
  const instance = (err as { instance?: Decoded }).instance;
  const type = instance?.$type;
  if (instance === undefined || type === undefined) return undefined;
  return undefinedEnumOf(instance, type, type.fullName.replace(/^\./, ''));
}

function undefinedEnumOf(message: Decoded, type: protobuf.Type, path: string): string | undefined {
  for (const raw of message.$unknowns ?? []) {
    const reader = protobuf.Reader.create(raw);
    const tag = reader.uint32();
    const field = type.fieldsById[tag >>> 3];
    const enumType = field?.resolve().resolvedType;
    if (field === undefined || !(enumType instanceof protobuf.Enum)) continue;
    // A varint, or (packed repeated) a length and varints: report the first number.
    if ((tag & 7) === 2) reader.uint32();
    const number = reader.int32();
    return `${path}.${field.name}: ${number} is not a value of ${enumType.fullName.replace(/^\./, '')}`;
  }
  return undefined;
}
