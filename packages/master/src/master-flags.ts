/** The master's settings, with Mesos's defaults. */
export interface MasterFlags {
  /** How often each agent is pinged (Mesos's `--agent_ping_timeout`, 15 s). */
  agentPingTimeoutMs: number;
  /** Pings an agent may miss before it is unreachable (`--max_agent_ping_timeouts`, 5). */
  maxAgentPingTimeouts: number;
  /** How often frameworks get a HEARTBEAT event (15 s, as the v1 scheduler API). */
  frameworkHeartbeatMs: number;
  /** Batch allocation interval (`--allocation_interval`, 1 s). */
  allocationIntervalMs: number;
  /** Offers are rescinded after this long when set (`--offer_timeout`, none by default). */
  offerTimeoutMs: number | undefined;
  /** Refusal a DECLINE or an ACCEPT's leftovers carry when the call names none (Mesos: 5 s). */
  defaultRefuseSeconds: number;
  /** Torn-down frameworks kept for the operator (`--max_completed_frameworks`, 50). */
  maxCompletedFrameworks: number;
  /** Ended tasks kept per framework (`--max_completed_tasks_per_framework`, 1000). */
  maxCompletedTasksPerFramework: number;
  /**
   * How long a new leader waits for the agents in the registry to re-register before it marks
   * them unreachable (`--agent_reregister_timeout`, 10 min).
   */
  agentReregisterTimeoutMs: number;
  /**
   * The largest fraction of the registry's agents one failover may mark unreachable
   * (`--recovery_agent_removal_limit`, 100%): more means something else is wrong (a network cut
   * to many agents), and the master leaves them be and says so.
   */
  recoveryAgentRemovalLimit: number;
  /** The master's hostname, reported in SUBSCRIBED. */
  hostname: string;
}

export const DEFAULT_MASTER_FLAGS: MasterFlags = {
  agentPingTimeoutMs: 15_000,
  maxAgentPingTimeouts: 5,
  frameworkHeartbeatMs: 15_000,
  allocationIntervalMs: 1_000,
  offerTimeoutMs: undefined,
  defaultRefuseSeconds: 5,
  maxCompletedFrameworks: 50,
  maxCompletedTasksPerFramework: 1_000,
  agentReregisterTimeoutMs: 600_000,
  recoveryAgentRemovalLimit: 1,
  hostname: 'localhost',
};

/** Fills in defaults and rejects values that would make the master misbehave. */
export function masterFlags(given: Partial<MasterFlags> = {}): MasterFlags {
  const flags = { ...DEFAULT_MASTER_FLAGS, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) } as MasterFlags;
  for (const key of ['agentPingTimeoutMs', 'maxAgentPingTimeouts', 'frameworkHeartbeatMs', 'allocationIntervalMs', 'agentReregisterTimeoutMs'] as const) {
    if (!Number.isFinite(flags[key]) || flags[key] <= 0) throw new RangeError(`master flag ${key} must be a positive number, got ${flags[key]}`);
  }
  if (flags.offerTimeoutMs !== undefined && !(flags.offerTimeoutMs > 0)) throw new RangeError(`master flag offerTimeoutMs must be positive, got ${flags.offerTimeoutMs}`);
  for (const key of ['defaultRefuseSeconds', 'maxCompletedFrameworks', 'maxCompletedTasksPerFramework'] as const) {
    if (!Number.isFinite(flags[key]) || flags[key] < 0) throw new RangeError(`master flag ${key} must be zero or more, got ${flags[key]}`);
  }
  if (!(flags.recoveryAgentRemovalLimit >= 0 && flags.recoveryAgentRemovalLimit <= 1)) {
    throw new RangeError(`master flag recoveryAgentRemovalLimit must be a fraction from 0 to 1, got ${flags.recoveryAgentRemovalLimit}`);
  }
  return flags;
}
