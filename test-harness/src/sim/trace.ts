import { Resources } from '@tessera/protocol';

/**
 * One line of a workload trace: `count` tasks of one framework arriving together (a job, as
 * YARN's scheduler load simulator replays them). JSON lines, e.g.
 * `{"at_ms":0,"framework":"web","role":"prod","resources":"cpus:1;mem:1024","duration_ms":5000,"count":4}`.
 */
export interface TraceJob {
  /** When the job arrives, in ms after the replay starts. */
  at_ms: number;
  /** The framework that runs it (letters, digits, '_' and '-'); each framework has one role. */
  framework: string;
  /** The framework's role. */
  role: string;
  /** One task's resources, Mesos flag syntax. */
  resources: string;
  /** How long each task runs once started. */
  duration_ms: number;
  /** Tasks in the job (default 1). */
  count?: number;
  /** The job's name, the prefix of its task ids (default `job-<line>`). */
  id?: string;
}

/** A trace that cannot be replayed; the message names the line. */
export class TraceError extends Error {
  override readonly name = 'TraceError';
}

const FIELDS = new Set(['at_ms', 'framework', 'role', 'resources', 'duration_ms', 'count', 'id']);
const NAME = /^[A-Za-z0-9_-]+$/;

/** Why `role` is not a Mesos role name, or undefined. */
function roleError(role: string): string | undefined {
  if (role === '*') return undefined;
  if (role === '' || role === '.' || role === '..' || role.startsWith('-')) return `'${role}' is not a role name`;
  if (/[\s/\\]/.test(role)) return `role '${role}' holds a blank, '/' or '\\'`;
  return undefined;
}

/** Checks one parsed line; returns the job or throws with why. */
function checkJob(value: unknown, line: number): TraceJob {
  const where = `trace line ${line}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TraceError(`${where}: expected a JSON object`);
  const job = value as Record<string, unknown>;
  const unknown = Object.keys(job).filter((k) => !FIELDS.has(k));
  if (unknown.length > 0) throw new TraceError(`${where}: unknown field(s) ${unknown.join(', ')} (known: ${[...FIELDS].join(', ')})`);
  const number = (name: string, min: number, whole: boolean): void => {
    const v = job[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (whole && !Number.isSafeInteger(v))) {
      throw new TraceError(`${where}: ${name} must be a ${whole ? 'whole ' : ''}number >= ${min}, got ${JSON.stringify(v)}`);
    }
  };
  number('at_ms', 0, false);
  number('duration_ms', 0, false);
  if (job.count !== undefined) number('count', 1, true);
  for (const name of ['framework', 'role', 'resources'] as const) {
    if (typeof job[name] !== 'string') throw new TraceError(`${where}: ${name} must be a string, got ${JSON.stringify(job[name])}`);
  }
  if (!NAME.test(job.framework as string)) throw new TraceError(`${where}: framework '${job.framework as string}' may hold only letters, digits, '_' and '-'`);
  if (job.id !== undefined && (typeof job.id !== 'string' || !NAME.test(job.id))) throw new TraceError(`${where}: id ${JSON.stringify(job.id)} may hold only letters, digits, '_' and '-'`);
  const badRole = roleError(job.role as string);
  if (badRole !== undefined) throw new TraceError(`${where}: ${badRole}`);
  try {
    if (Resources.parse(job.resources as string).isEmpty()) throw new Error('no resources');
  } catch (err) {
    throw new TraceError(`${where}: resources '${job.resources as string}': ${(err as Error).message}`);
  }
  return job as unknown as TraceJob;
}

/**
 * Reads a JSON-lines trace (blank lines and lines starting with `#` are skipped) into jobs in
 * arrival order (ties keep their order in the file). Every job gets an id; ids are unique.
 * @throws TraceError naming the first bad line: bad JSON, a missing or unknown field, a bad
 * value, a framework given two roles, a repeated id.
 */
export function parseTrace(text: string): TraceJob[] {
  const jobs: TraceJob[] = [];
  const roles = new Map<string, string>();
  const ids = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const raw = lines[i]!.trim();
    if (raw === '' || raw.startsWith('#')) continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new TraceError(`trace line ${i + 1}: not JSON (${(err as Error).message})`);
    }
    const job = { ...checkJob(value, i + 1) };
    job.id ??= `job-${i + 1}`;
    if (ids.has(job.id)) throw new TraceError(`trace line ${i + 1}: job id '${job.id}' is used twice`);
    ids.add(job.id);
    const role = roles.get(job.framework);
    if (role !== undefined && role !== job.role) throw new TraceError(`trace line ${i + 1}: framework '${job.framework}' has role '${role}' already, not '${job.role}'`);
    roles.set(job.framework, job.role);
    jobs.push(job);
  }
  if (jobs.length === 0) throw new TraceError('the trace has no job');
  // A stable sort: jobs arriving at the same instant keep the file's order.
  return jobs.map((job, i) => ({ job, i })).sort((a, b) => a.job.at_ms - b.job.at_ms || a.i - b.i).map(({ job }) => job);
}

/** The JSON-lines text of a trace, one job a line. */
export function formatTrace(jobs: readonly TraceJob[]): string {
  return jobs.map((job) => JSON.stringify(job)).join('\n') + '\n';
}
