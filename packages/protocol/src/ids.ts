/**
 * Ids in Mesos's format, so that logs and UIs read alike: every id a master mints starts with the
 * master's own id (a UUID), then a kind letter and a sequence number.
 *   framework  <master>-0007       (Mesos: four-digit sequence, no letter)
 *   agent      <master>-S3
 *   offer      <master>-O1042
 * Tasks and executors are named by frameworks; generated ones are `<prefix>.<uuid>`, as Marathon's.
 */
export type IdKind = 'framework' | 'agent' | 'offer';

const PATTERN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(S|O)?(\d+)$/;

/** A source of uniformly random 32-bit integers (the runtime's seeded random). */
export interface RandomSource {
  nextUint32(): number;
}

/**
 * 16 random bytes in base64: the uuid a status update is acknowledged by (Mesos's
 * `UUID::random().toBytes()`), made by agents and executors alike.
 */
export function updateUuid(random: RandomSource): string {
  const bytes = Buffer.alloc(16);
  for (let i = 0; i < 16; i += 4) bytes.writeUInt32LE(random.nextUint32(), i);
  return bytes.toString('base64');
}

/** Formats 16 random bytes as an RFC 4122 version 4 UUID. */
export function uuid(random: RandomSource): string {
  const words = [random.nextUint32(), random.nextUint32(), random.nextUint32(), random.nextUint32()];
  const hex = words.map((w) => w.toString(16).padStart(8, '0')).join('');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Mints the ids of one master incarnation. */
export class IdGenerator {
  private frameworks = 0;
  private agents = 0;
  private offers = 0;

  constructor(readonly masterId: string) {
    if (!/^[0-9a-f-]{36}$/.test(masterId)) throw new Error(`master id must be a UUID, got '${masterId}'`);
  }

  frameworkId(): string {
    return `${this.masterId}-${String(this.frameworks++).padStart(4, '0')}`;
  }

  agentId(): string {
    return `${this.masterId}-S${this.agents++}`;
  }

  offerId(): string {
    return `${this.masterId}-O${this.offers++}`;
  }
}

/** A generated task or executor id: `<prefix>.<uuid>`. */
export function generatedId(prefix: string, random: RandomSource): string {
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new Error(`id prefix must be [A-Za-z0-9_-]+, got '${prefix}'`);
  return `${prefix}.${uuid(random)}`;
}

/** Reads a master-minted id back into its parts, or undefined when it is not one. */
export function parseId(id: string): { kind: IdKind; masterId: string; sequence: number } | undefined {
  const match = PATTERN.exec(id);
  if (match === null) return undefined;
  const kind: IdKind = match[2] === 'S' ? 'agent' : match[2] === 'O' ? 'offer' : 'framework';
  if (kind === 'framework' && match[3]!.length < 4) return undefined;
  return { kind, masterId: match[1]!, sequence: Number(match[3]) };
}
