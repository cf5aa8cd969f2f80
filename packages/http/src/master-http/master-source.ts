import type { Master } from '@tessera/master';
import type { LeaderRecord } from '@tessera/protocol';

/**
 * What the master's HTTP server needs of a `tessera master` process: the Master while this
 * process leads (undefined while it stands by, or before the leader has read its registry), and
 * the leader as last seen (for the standby's redirect). MasterContender fits it.
 */
export interface MasterSource {
  readonly master: Master | undefined;
  readonly leader: LeaderRecord | undefined;
}
