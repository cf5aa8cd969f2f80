/**
 * RecordIO, Mesos's framing of streamed events: each record is its length in bytes, a newline,
 * then the record. See Mesos's docs/recordio.md. Clients read it with the web UI's
 * `RecordIODecoder` (@tessera/webui/core/recordio.js), which runs in browsers and Node alike.
 */
export function recordIO(record: unknown): string {
  const json = JSON.stringify(record);
  return `${Buffer.byteLength(json)}\n${json}`;
}

/** One record of already encoded bytes (JSON or protobuf), framed. */
export function recordIOFrame(payload: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${payload.byteLength}\n`), payload]);
}
