import { TableMachine } from './table-machine.js';

export type AgentLifecycleState = 'registering' | 'recovered' | 'registered' | 'disconnected' | 'unreachable' | 'removed';
export type AgentLifecycleEvent = 'ADMITTED' | 'RECOVERED' | 'DISCONNECTED' | 'REREGISTERED' | 'PING_TIMEOUT' | 'REREGISTER_TIMEOUT' | 'REMOVED';

/**
 * An agent as the master sees it. A registered agent whose link breaks is disconnected (its offers
 * withdrawn, no new ones); one that misses its pings becomes unreachable (its tasks reported
 * unreachable or lost); either comes back by re-registering. Removed is for good. A new leader
 * knows the registry's agents as recovered until they re-register, or are found unreachable
 * when `--agent_reregister_timeout` passes.
 */
export const agentLifecycle = new TableMachine<AgentLifecycleState, AgentLifecycleEvent>(
  'agent',
  'registering',
  {
    registering: { ADMITTED: 'registered', RECOVERED: 'recovered', REREGISTERED: 'registered', REMOVED: 'removed' },
    recovered: { REREGISTERED: 'registered', REREGISTER_TIMEOUT: 'unreachable', REMOVED: 'removed' },
    registered: { DISCONNECTED: 'disconnected', PING_TIMEOUT: 'unreachable', REREGISTERED: 'registered', REMOVED: 'removed' },
    disconnected: { REREGISTERED: 'registered', PING_TIMEOUT: 'unreachable', DISCONNECTED: 'disconnected', REMOVED: 'removed' },
    unreachable: { REREGISTERED: 'registered', REMOVED: 'removed' },
    removed: {},
  },
  ['removed'],
);
