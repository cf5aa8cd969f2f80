import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/**
 * The .proto files this package ships (packages/protocol/proto), loaded when first needed: every
 * process imports this package, few speak Mesos's HTTP API. Field names are kept as written (snake_case), as in Mesos's JSON.
 */
const PROTO_DIR = fileURLToPath(new URL('../../../proto/', import.meta.url));
const FILES = ['mesos/v1/scheduler/scheduler.proto', 'mesos/v1/executor/executor.proto'];

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  // Imports name files from the proto directory ("mesos/v1/mesos.proto"), as protoc's -I would.
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_DIR, target));
  root.loadSync(FILES, { keepCase: true });
  root.resolveAll();
  return root;
}

let root: protobuf.Root | undefined;

const types = new Map<string, protobuf.Type>();

/** The message type of that full name (e.g. 'mesos.v1.scheduler.Call'). */
export function protoType(fullName: string): protobuf.Type {
  let type = types.get(fullName);
  if (type === undefined) {
    root ??= loadRoot();
    type = root.lookupType(fullName);
    types.set(fullName, type);
  }
  return type;
}

/** The options that turn a decoded message into Mesos's JSON shape: enums by name, bytes as base64. */
export const TO_JSON_SHAPE: protobuf.IConversionOptions = { enums: String, longs: Number, bytes: String, defaults: false };
