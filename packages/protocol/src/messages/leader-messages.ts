import { Type, type Static } from '@sinclair/typebox';
import { PID_PATTERN } from '../envelope.js';

/**
 * Who leads the masters: the value of the election's lease (stored as JSON in the leader key
 * of the cluster's KV bucket) and what a standby answers instead of acting.
 */
export const LeaderRecordSchema = Type.Object(
  {
    /** The leading master's pid: agents and drivers talk to it. */
    pid: Type.String({ pattern: PID_PATTERN }),
    /** The leadership term; every message the leader sends carries it (Envelope.epoch). */
    epoch: Type.Integer({ minimum: 1 }),
    /** The contender that holds the lease: unique per master process. */
    contender: Type.String({ minLength: 1, maxLength: 200 }),
    /** How long the lease holds without a renewal (ms); standbys time it on their own clocks. */
    lease_ms: Type.Integer({ minimum: 1 }),
    hostname: Type.Optional(Type.String({ maxLength: 255 })),
    /** Set when the leader gave the lease up (a clean shutdown): standbys take it at once. */
    released: Type.Optional(Type.Boolean()),
    /** The leader's HTTP address (`host:port`), for redirects, when it serves HTTP. */
    http: Type.Optional(Type.String({ maxLength: 300 })),
  },
  { additionalProperties: false },
);
export type LeaderRecord = Static<typeof LeaderRecordSchema>;

export const leaderMessages = {
  /**
   * A standby master's answer to anything sent to it: it does not act, and names the leader
   * when it knows one.
   */
  'master.NotLeader': Type.Object(
    { leader: Type.Optional(LeaderRecordSchema), refused: Type.String({ minLength: 1, maxLength: 200 }) },
    { additionalProperties: false },
  ),
  /** The lease's value, validated when read from the KV bucket. */
  'master.LeaderRecord': LeaderRecordSchema,
} as const;
