import type { TSchema } from '@sinclair/typebox';
import { expect } from 'chai';
import protobuf from 'protobufjs';
import { messageCatalog } from '../src/messages/catalog.js';
import { protoType } from '../src/mesos-wire/proto-root.js';

/** Fields of an internal schema that the Mesos message in the same place does not declare. */
function withoutMesosCounterpart(schema: TSchema, type: protobuf.Type, path: string): string[] {
  const properties = (schema['properties'] ?? {}) as Record<string, TSchema>;
  return Object.entries(properties).flatMap(([name, property]) => {
    const field = type.fields[name];
    if (field === undefined) return [`${path}.${name}`];
    const resolved = field.resolve().resolvedType;
    const inner = (property['type'] === 'array' ? property['items'] : property) as TSchema;
    return resolved instanceof protobuf.Type && inner['type'] === 'object' ? withoutMesosCounterpart(inner, resolved, `${path}.${name}`) : [];
  });
}

/** Enumerations of an internal schema with a value the Mesos enum in the same place lacks. */
function enumValuesWithoutMesosCounterpart(schema: TSchema, type: protobuf.Type, path: string): string[] {
  const properties = (schema['properties'] ?? {}) as Record<string, TSchema>;
  return Object.entries(properties).flatMap(([name, property]) => {
    const resolved = type.fields[name]?.resolve().resolvedType;
    const inner = (property['type'] === 'array' ? property['items'] : property) as TSchema;
    if (resolved instanceof protobuf.Enum) {
      const values = ((inner['anyOf'] ?? []) as TSchema[]).map((m) => m['const'] as string);
      return values.filter((v) => !Object.prototype.hasOwnProperty.call(resolved.values, v)).map((v) => `${path}.${name}=${v}`);
    }
    return resolved instanceof protobuf.Type ? enumValuesWithoutMesosCounterpart(inner, resolved, `${path}.${name}`) : [];
  });
}

const pairs = [
  ['scheduler.Call', 'mesos.v1.scheduler.Call'],
  ['scheduler.Event', 'mesos.v1.scheduler.Event'],
  ['executor.Call', 'mesos.v1.executor.Call'],
  ['executor.Event', 'mesos.v1.executor.Event'],
] as const;

describe('mesos wire: the internal schemas against the .proto files', () => {
  for (const [internal, proto] of pairs) {
    it(`every field of ${internal} has a ${proto} counterpart, but the ones the mapping rules handle`, () => {
      const expected = internal === 'scheduler.Event' ? ['scheduler.Event.offers.inverse_offers'] : [];
      expect(withoutMesosCounterpart(messageCatalog[internal] as TSchema, protoType(proto), internal)).to.deep.equal(expected);
    });

    it(`every enum value of ${internal} is one Mesos defines`, () => {
      expect(enumValuesWithoutMesosCounterpart(messageCatalog[internal] as TSchema, protoType(proto), internal)).to.deep.equal([]);
    });
  }
});
