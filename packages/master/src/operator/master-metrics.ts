import { TASK_STATES } from '@tessera/protocol';
import type { OperatorSources } from './operator-host.js';
import { listedAgents, isAgentActive } from './operator-views.js';
import { usedOnAgent } from './operator-resources.js';

/** Counters reported as 0 before they first count, so that a dashboard always finds them. */
const COUNTED_ZERO: Record<string, number> = Object.fromEntries([
  'master/invalid_framework_calls', 'master/invalid_status_updates', 'master/valid_status_updates', 'master/offers_rescinded',
  'master/slave_registrations', 'master/slave_reregistrations', 'master/tasks_launched', 'master/frameworks_subscribed',
  'master/messages_accept', 'master/messages_decline', 'master/messages_kill', 'master/messages_acknowledge', 'master/messages_reconcile',
  'registrar/queued_operations', 'registrar/state_store_ms', 'registrar/registry_writes', 'registrar/store_failures',
].map((name) => [name, 0]));

/** The master's own gauges under Mesos's names (master/*), from its state and counters. */
export function masterGauges(s: OperatorSources, counters: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = { ...COUNTED_ZERO, ...Object.fromEntries(counters) };
  const agents = listedAgents(s);
  out['master/elected'] = 1;
  out['master/uptime_secs'] = (s.now() - s.startedAt) / 1000;
  out['master/slaves_connected'] = agents.filter((a) => a.lifecycle.value === 'registered').length;
  out['master/slaves_disconnected'] = agents.filter((a) => a.lifecycle.value === 'disconnected').length;
  out['master/slaves_active'] = agents.filter((a) => isAgentActive(s, a)).length;
  out['master/slaves_inactive'] = agents.length - out['master/slaves_active'];
  out['master/slaves_unreachable'] = s.state.unreachableAgents.size;
  const frameworks = [...s.state.frameworks.values()];
  out['master/frameworks_active'] = frameworks.filter((f) => f.lifecycle.value === 'active').length;
  out['master/frameworks_inactive'] = frameworks.length - out['master/frameworks_active'];
  out['master/frameworks_connected'] = frameworks.filter((f) => f.pid !== undefined).length;
  out['master/frameworks_disconnected'] = frameworks.length - out['master/frameworks_connected'];
  out['master/outstanding_offers'] = s.state.offers.size;
  for (const state of TASK_STATES) out[`master/tasks_${state.slice('TASK_'.length).toLowerCase()}`] = 0;
  const bump = (state: string) => { const key = `master/tasks_${state.slice('TASK_'.length).toLowerCase()}`; out[key] = (out[key] ?? 0) + 1; };
  for (const f of [...frameworks, ...s.state.completedFrameworks]) {
    for (const r of f.tasks.values()) bump(r.task.state);
    for (const t of f.completedTasks) bump(t.state);
  }
  for (const name of ['cpus', 'mem', 'disk', 'gpus']) {
    let total = 0;
    let used = 0;
    for (const agent of agents) {
      total += agent.total.scalar(name);
      used += usedOnAgent(s.state, agent).scalar(name);
    }
    out[`master/${name}_total`] = total;
    out[`master/${name}_used`] = used;
    out[`master/${name}_percent`] = total === 0 ? 0 : used / total;
  }
  return out;
}
