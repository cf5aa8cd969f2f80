/**
 * RecordIO, Mesos's framing of streamed events: each record is its length in bytes, a newline,
 * then the record (here JSON). See Mesos's docs/recordio.md. Clients read it with the web UI's
 * `RecordIODecoder` (@tessera/webui/core/recordio.js), which runs in browsers and Node alike.
 */
export function recordIO(record: unknown): string {
  const json = JSON.stringify(record);
  return `${Buffer.byteLength(json)}\n${json}`;
}
