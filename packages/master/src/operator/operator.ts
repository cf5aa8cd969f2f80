import type { OperatorCall, OperatorEvent } from '@tessera/protocol';
import { masterGauges } from './master-metrics.js';
import { badRequest, ok, type MasterOperator, type MasterView, type OperatorAnswer } from './master-operator.js';
import { flagEntries } from './operator-flags.js';
import { TESSERA_VERSION, seconds, type OperatorHost } from './operator-host.js';
import { QueryError, rolesView, tasksView } from './operator-lists.js';
import { maintenanceStatus } from './maintenance.js';
import { v1Agents, v1Executors, v1Frameworks, v1Roles, v1State, v1Tasks } from './operator-v1.js';
import { stateJsonParts, type StateJsonParts } from './state-json.js';
import { agentsView, flagsView, frameworksView, stateSummaryView, stateView, versionView } from './operator-views.js';

/** What the operator's writes do; the master gives the operator an implementation of it. */
export interface OperatorWrites {
  /** Carries out a write call and answers once (after the registry stored it, when it must). */
  handle(call: OperatorCall, respond: (answer: OperatorAnswer) => void): void;
}

/**
 * `Master.operator`: routes views, reads and writes, and owns the SUBSCRIBE feed. Reads are answered
 * at once from the master's state; writes go to `writes`.
 */
export class Operator implements MasterOperator {
  writes: OperatorWrites | undefined;

  constructor(private readonly host: OperatorHost) {}

  view(name: MasterView, query: Record<string, string>): OperatorAnswer {
    const s = this.host;
    try {
      switch (name) {
        case 'state': return ok(stateView(s));
        case 'state-summary': return ok(stateSummaryView(s));
        case 'frameworks': return ok(frameworksView(s));
        case 'agents': return ok(agentsView(s));
        case 'tasks': return ok(tasksView(s, query));
        case 'roles': return ok(rolesView(s));
        case 'flags': return ok(flagsView(s));
        case 'version': return ok(versionView());
        case 'maintenance/schedule': return ok(s.state.maintenance);
        case 'maintenance/status': return ok(maintenanceStatus(s.state));
      }
    } catch (err) {
      if (err instanceof QueryError) return badRequest(err.message);
      throw err;
    }
    return badRequest(`no view named '${String(name)}'`);
  }

  stateJson(): StateJsonParts {
    return stateJsonParts(this.host);
  }

  call(call: OperatorCall, respond: (answer: OperatorAnswer) => void): void {
    const read = this.read(call, respond);
    if (read === 'handled') return;
    if (this.writes === undefined) return respond({ status: 503, error: `${call.type} is not available on this master` });
    this.writes.handle(call, respond);
  }

  subscribe(listener: (event: OperatorEvent) => void): () => void {
    return this.host.events.subscribe(listener, { type: 'SUBSCRIBED', subscribed: { get_state: v1State(this.host), heartbeat_interval_seconds: 15 } });
  }

  metrics(respond: (snapshot: Record<string, number>) => void): void {
    this.host.allocatorMetrics((allocator) => respond({ ...masterGauges(this.host, this.host.counters), ...allocator }));
  }

  /** Answers the calls that only read; 'write' for the others. */
  private read(call: OperatorCall, respond: (answer: OperatorAnswer) => void): 'handled' | 'write' {
    const s = this.host;
    const answer = (field: string, body: unknown) => respond(ok({ type: call.type, [field]: body }));
    switch (call.type) {
      case 'GET_HEALTH': answer('get_health', { healthy: true }); break;
      case 'GET_FLAGS': answer('get_flags', { flags: flagEntries(s.flags).map(([name, value]) => ({ name, value })) }); break;
      case 'GET_VERSION': answer('get_version', { version_info: { version: TESSERA_VERSION } }); break;
      case 'GET_METRICS':
        this.metrics((snapshot) => answer('get_metrics', { metrics: Object.entries(snapshot).map(([name, value]) => ({ name, value })) }));
        break;
      case 'GET_STATE': answer('get_state', v1State(s)); break;
      case 'GET_AGENTS': answer('get_agents', v1Agents(s)); break;
      case 'GET_FRAMEWORKS': answer('get_frameworks', v1Frameworks(s)); break;
      case 'GET_EXECUTORS': answer('get_executors', v1Executors(s)); break;
      case 'GET_TASKS': answer('get_tasks', v1Tasks(s)); break;
      case 'GET_ROLES': answer('get_roles', v1Roles(s)); break;
      case 'GET_WEIGHTS': answer('get_weights', { weight_infos: [...s.state.weights].map(([role, weight]) => ({ role, weight })) }); break;
      case 'GET_QUOTA': answer('get_quota', { status: { configs: [...s.state.quotas.values()] } }); break;
      case 'GET_MASTER':
        answer('get_master', { master_info: { id: s.masterId, pid: s.pid, hostname: s.flags.hostname }, start_time: seconds(s.startedAt), elected_time: seconds(s.electedAt) });
        break;
      case 'GET_MAINTENANCE_SCHEDULE': answer('get_maintenance_schedule', { schedule: s.state.maintenance }); break;
      case 'GET_MAINTENANCE_STATUS': answer('get_maintenance_status', { status: maintenanceStatus(s.state) }); break;
      case 'SUBSCRIBE': respond(badRequest('SUBSCRIBE is a stream: the HTTP layer serves it through subscribe()')); break;
      default: return 'write';
    }
    return 'handled';
  }
}
