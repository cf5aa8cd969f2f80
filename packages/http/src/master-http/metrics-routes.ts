import type { FastifyInstance } from 'fastify';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Master } from '@tessera/master';
import type { Runtime } from '@tessera/process';
import { JSON_ROUTE, sendError } from '../common/http-app.js';
import type { MasterSource } from './master-source.js';

/** `master/tasks_running` → `tessera_master_tasks_running`: Prometheus names allow [a-zA-Z0-9_:] only. */
export function prometheusName(mesosName: string): string {
  return `tessera_${mesosName.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/**
 * `GET /metrics/snapshot` (Mesos's JSON of metric names to numbers) and `GET /metrics`, the same
 * numbers in Prometheus's text format through prom-client, plus the Node process's own (CPU,
 * memory, event loop lag). Both ask the master, which asks its allocator.
 */
export function registerMetricsRoutes(app: FastifyInstance, runtime: Runtime, source: MasterSource): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tessera_' });
  const gauges = new Map<string, Gauge>();

  const snapshot = async (master: Master): Promise<Record<string, number>> => new Promise((resolve, reject) => {
    runtime.dispatch(master.pid, () => master.operator.metrics(resolve)).catch(reject);
  });

  app.get('/metrics/snapshot', JSON_ROUTE, async (_request, reply) => {
    const master = source.master;
    if (master === undefined) return sendError(reply, 503, 'this master does not lead');
    return snapshot(master);
  });

  app.get('/metrics', async (_request, reply) => {
    const master = source.master;
    if (master === undefined) return sendError(reply, 503, 'this master does not lead');
    const numbers = await snapshot(master);
    for (const [name, value] of Object.entries(numbers)) {
      const metric = prometheusName(name);
      let gauge = gauges.get(metric);
      if (gauge === undefined) {
        gauge = new Gauge({ name: metric, help: `Mesos metric ${name}`, registers: [registry] });
        gauges.set(metric, gauge);
      }
      gauge.set(value);
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
