import type { MasterContext } from '../master-context.js';
import type { OperatorAnswer } from './master-operator.js';
import type { MaintenanceWrites } from './operator-writes.js';

/** The maintenance calls (UPDATE_MAINTENANCE_SCHEDULE, START_MAINTENANCE, STOP_MAINTENANCE). */
export class MaintenanceCalls implements MaintenanceWrites {
  constructor(private readonly context: MasterContext) {}

  updateSchedule(_schedule: unknown, respond: (answer: OperatorAnswer) => void): void {
    respond({ status: 503, error: `maintenance is not available yet on ${this.context.masterId}` });
  }

  start(_machines: unknown, respond: (answer: OperatorAnswer) => void): void {
    respond({ status: 503, error: 'maintenance is not available yet' });
  }

  stop(_machines: unknown, respond: (answer: OperatorAnswer) => void): void {
    respond({ status: 503, error: 'maintenance is not available yet' });
  }
}
