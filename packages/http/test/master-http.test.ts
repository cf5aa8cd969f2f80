import { expect } from 'chai';
import { ManualClock } from '@tessera/process';
import { RecordStream } from './stream-reader.js';
import { TestFramework, eventually, getJson, postJson, startHttpCluster, type HttpCluster } from './support.js';

describe('master HTTP server', function () {
  this.timeout(30_000);
  const heartbeats = new ManualClock();
  let cluster: HttpCluster;
  let base: string;
  let framework: TestFramework;
  let frameworkId: string;

  before(async () => {
    cluster = await startHttpCluster({ heartbeatClock: heartbeats });
    base = cluster.masterHttp.url;
    framework = new TestFramework(cluster.masterRuntime);
    frameworkId = (await framework.start()).frameworkId;
    framework.run('sleeper', 'exec sleep 60');
    await framework.waitFor('sleeper', 'TASK_RUNNING');
  });

  after(async () => {
    await framework.stop();
    await cluster.stop();
  });

  it('answers /health with an empty 200, without entering the master\'s mailbox', async () => {
    // A master stuck in its mailbox still answers /health.
    let release!: () => void;
    const blocked = cluster.masterRuntime.dispatch(cluster.master.pid, () => new Promise<void>((resolve) => { release = resolve; }));
    try {
      const response = await fetch(`${base}/health`);
      expect(response.status).to.equal(200);
      expect(await response.text()).to.equal('');
    } finally {
      await eventually('the blocking dispatch started', () => release !== undefined);
      release();
      await blocked;
    }
  });

  describe('v0 views', () => {
    it('/state has the leader, the agent with its resources and the framework with its running task', async () => {
      const { status, body, headers } = await getJson(`${base}/state`);
      expect(status).to.equal(200);
      expect(headers.get('content-type')).to.match(/^application\/json/);
      expect(body.leader).to.equal(body.pid);
      const [agent] = body.slaves;
      expect(agent.id).to.equal(cluster.agent.id);
      expect(agent.port).to.equal(cluster.agentHttp.port);
      expect(agent.hostname).to.equal('127.0.0.1');
      expect(agent.resources).to.include({ cpus: 4, mem: 1024 });
      const fw = body.frameworks.find((f: any) => f.id === frameworkId);
      expect(fw.tasks.map((t: any) => [t.id, t.state])).to.deep.equal([['sleeper', 'TASK_RUNNING']]);
    });

    const views: [string, string[]][] = [
      ['/state-summary', ['slaves', 'frameworks']],
      ['/frameworks', ['frameworks', 'completed_frameworks']],
      ['/agents', ['slaves']],
      ['/slaves', ['slaves']],
      ['/tasks', ['tasks']],
      ['/roles', ['roles']],
      ['/flags', ['flags']],
      ['/version', ['version']],
      ['/maintenance/schedule', []],
      ['/maintenance/status', []],
    ];
    for (const [path, keys] of views) {
      it(`${path} answers JSON${keys.length === 0 ? '' : ` with ${keys.join(', ')}`}`, async () => {
        const { status, body } = await getJson(`${base}${path}`);
        expect(status).to.equal(200);
        expect(body).to.be.an('object');
        for (const key of keys) expect(body, key).to.have.property(key);
      });
    }

    it('/tasks takes limit, offset, order, framework_id and task_id', async () => {
      const { body } = await getJson(`${base}/tasks?limit=10&offset=0&order=asc&framework_id=${frameworkId}&task_id=sleeper`);
      expect(body.tasks.map((t: any) => t.id)).to.deep.equal(['sleeper']);
      expect((await getJson(`${base}/tasks?task_id=nothing-like-it`)).body.tasks).to.deep.equal([]);
    });

    const bad: [string, RegExp][] = [
      ['/tasks?limit=abc', /limit must be integer/],
      ['/tasks?limit=-1', /limit must be >= 0/],
      ['/tasks?order=sideways', /order must be equal to one of the allowed values/],
      ['/tasks?bogus=1', /must NOT have additional properties/],
      ['/state?jsonp=x', /must NOT have additional properties/],
    ];
    for (const [url, error] of bad) {
      it(`refuses ${url} with a 400 naming the problem`, async () => {
        const { status, body } = await getJson(`${base}${url}`);
        expect(status).to.equal(400);
        expect(body.error).to.match(error);
      });
    }

    it('shares one build among concurrent /state requests', async () => {
      let builds = 0;
      const operator = cluster.master.operator as { stateJson: (...args: any[]) => unknown };
      const original = operator.stateJson;
      operator.stateJson = function (this: unknown, ...args: any[]) { builds += 1; return original.apply(this, args); };
      let release!: () => void;
      // Hold the mailbox so that all ten requests arrive before the first build runs.
      const blocked = cluster.masterRuntime.dispatch(cluster.master.pid, () => new Promise<void>((resolve) => { release = resolve; }));
      try {
        let arrived = 0;
        const count = (): void => { arrived += 1; };
        cluster.masterHttp.app.server.on('request', count);
        const requests = Array.from({ length: 10 }, () => getJson(`${base}/state`));
        await eventually('the ten requests reach the server', () => release !== undefined && arrived === 10);
        cluster.masterHttp.app.server.off('request', count);
        // Their handlers run within the next turns of the event loop (no body to read on a GET).
        for (let turn = 0; turn < 3; turn += 1) await new Promise((resolve) => setImmediate(resolve));
        release();
        const answers = await Promise.all(requests);
        expect(answers.every((a) => a.status === 200)).to.equal(true);
        expect(builds).to.equal(1);
      } finally {
        operator.stateJson = original;
        await blocked;
      }
    });
  });

  describe('metrics', () => {
    it('/metrics/snapshot has the Mesos metric names', async () => {
      const { status, body } = await getJson(`${base}/metrics/snapshot`);
      expect(status).to.equal(200);
      expect(body['master/elected']).to.equal(1);
      expect(body['master/slaves_active']).to.equal(1);
      expect(body['master/tasks_running']).to.equal(1);
    });

    it('/metrics is Prometheus text with / mapped to _', async () => {
      const response = await fetch(`${base}/metrics`);
      expect(response.status).to.equal(200);
      expect(response.headers.get('content-type')).to.match(/^text\/plain/);
      const text = await response.text();
      expect(text).to.match(/^# TYPE tessera_master_tasks_running gauge$/m);
      expect(text).to.match(/^tessera_master_tasks_running 1$/m);
      expect(text).to.match(/^tessera_master_elected 1$/m);
      expect(text).to.match(/^tessera_process_cpu_user_seconds_total /m);
    });
  });

  describe('POST /api/v1', () => {
    it('answers GET_STATE with the v1 response', async () => {
      const { status, body } = await postJson(`${base}/api/v1`, { type: 'GET_STATE' });
      expect(status).to.equal(200);
      expect(body.type).to.equal('GET_STATE');
      expect(body.get_state.get_agents.agents[0].agent_info.id.value).to.equal(cluster.agent.id);
    });

    const reads = ['GET_HEALTH', 'GET_FLAGS', 'GET_VERSION', 'GET_METRICS', 'GET_AGENTS', 'GET_FRAMEWORKS', 'GET_EXECUTORS', 'GET_TASKS', 'GET_ROLES',
      'GET_WEIGHTS', 'GET_MASTER', 'GET_QUOTA', 'GET_MAINTENANCE_STATUS', 'GET_MAINTENANCE_SCHEDULE'];
    for (const type of reads) {
      it(`answers ${type} with a response of that type`, async () => {
        const { status, body } = await postJson(`${base}/api/v1`, { type });
        expect(status, JSON.stringify(body)).to.equal(200);
        expect(body.type).to.equal(type);
      });
    }

    it('UPDATE_WEIGHTS is stored, then GET_WEIGHTS shows it', async () => {
      const update = await postJson(`${base}/api/v1`, { type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: [{ role: 'web', weight: 2.5 }] } });
      expect(update.status, JSON.stringify(update.body)).to.be.oneOf([200, 202]);
      const { body } = await postJson(`${base}/api/v1`, { type: 'GET_WEIGHTS' });
      expect(body.get_weights.weight_infos).to.deep.include({ role: 'web', weight: 2.5 });
    });

    const unknownIds: [string, object][] = [
      ['DEACTIVATE_AGENT', { deactivate_agent: { agent_id: { value: 'no-such-agent' } } }],
      ['REACTIVATE_AGENT', { reactivate_agent: { agent_id: { value: 'no-such-agent' } } }],
      ['DRAIN_AGENT', { drain_agent: { agent_id: { value: 'no-such-agent' } } }],
      ['MARK_AGENT_GONE', { mark_agent_gone: { agent_id: { value: 'no-such-agent' } } }],
      ['TEARDOWN', { teardown: { framework_id: { value: 'no-such-framework' } } }],
      ['RESERVE_RESOURCES', { reserve_resources: { agent_id: { value: 'no-such-agent' }, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, reservations: [{ type: 'DYNAMIC', role: 'web' }] }] } }],
      ['UNRESERVE_RESOURCES', { unreserve_resources: { agent_id: { value: 'no-such-agent' }, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, reservations: [{ type: 'DYNAMIC', role: 'web' }] }] } }],
      ['START_MAINTENANCE', { start_maintenance: { machines: [{ hostname: 'not-in-any-schedule' }] } }],
    ];
    for (const [type, payload] of unknownIds) {
      it(`refuses ${type} of something unknown with a 4xx naming it, and changes nothing`, async () => {
        const before = (await getJson(`${base}/state`)).body;
        const { status, body } = await postJson(`${base}/api/v1`, { type, ...payload });
        expect(status, JSON.stringify(body)).to.be.within(400, 499);
        expect(body.error).to.match(/no-such|not-in-any-schedule/);
        const after = (await getJson(`${base}/state`)).body;
        expect(after.slaves.map((s: any) => [s.id, s.active])).to.deep.equal(before.slaves.map((s: any) => [s.id, s.active]));
        expect(after.frameworks.map((f: any) => f.id)).to.deep.equal(before.frameworks.map((f: any) => f.id));
      });
    }

    const badBodies: [string, string | object, Record<string, string>, number, RegExp][] = [
      ['malformed JSON', '{"type": "GET_STATE"', {}, 400, /JSON/],
      ['an empty body', '', {}, 400, /empty|JSON/i],
      ['an unknown call', { type: 'LAUNCH_MISSILES' }, {}, 400, /unknown call type 'LAUNCH_MISSILES'/],
      ['a call without a type', { get_state: {} }, {}, 400, /type/],
      ['a field of the wrong type', { type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: [{ role: 'web', weight: 'heavy' }] } }, {}, 400, /weight/],
      ['an unknown field', { type: 'GET_STATE', launch: true }, {}, 400, /additional properties/],
      ['a text/plain body', '{"type":"GET_STATE"}', { 'Content-Type': 'text/plain' }, 415, /text\/plain/],
      ['a protobuf body (the operator API takes JSON only)', 'not json', { 'Content-Type': 'application/x-protobuf' }, 415, /JSON only/],
      ['an Accept without JSON', { type: 'GET_STATE' }, { Accept: 'application/x-protobuf' }, 406, /application\/json/],
      ['a recordio SUBSCRIBE whose Message-Accept excludes JSON', { type: 'SUBSCRIBE' }, { Accept: 'application/recordio', 'Message-Accept': 'application/x-protobuf' }, 406, /Message-Accept/],
    ];
    for (const [what, body, headers, status, error] of badBodies) {
      it(`refuses ${what} with ${status}`, async () => {
        const answer = await postJson(`${base}/api/v1`, body, headers);
        expect(answer.status).to.equal(status);
        expect(answer.body.error).to.match(error);
      });
    }

    it('refuses a body without a Content-Type with 400, as Mesos', async () => {
      const response = await fetch(`${base}/api/v1`, { method: 'POST', body: new Uint8Array(Buffer.from('{"type":"GET_STATE"}')) });
      expect(response.status).to.equal(400);
      expect(((await response.json()) as { error: string }).error).to.equal("Expecting 'Content-Type' to be present");
    });

    it('refuses GET /api/v1 with 405', async () => {
      const { status, headers } = await getJson(`${base}/api/v1`);
      expect(status).to.equal(405);
      expect(headers.get('allow')).to.equal('POST');
    });
  });

  describe('SUBSCRIBE', () => {
    it('streams SUBSCRIBED, then changes as they happen, then HEARTBEATs on the injected clock', async () => {
      const controller = new AbortController();
      const response = await fetch(`${base}/api/v1`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"type":"SUBSCRIBE"}', signal: controller.signal });
      expect(response.status).to.equal(200);
      // No Accept: JSON, named as such (records still in RecordIO), as Mesos answers.
      expect(response.headers.get('content-type')).to.equal('application/json');
      const stream = new RecordStream(response);
      try {
        const first = await stream.next(() => true);
        expect(first.type).to.equal('SUBSCRIBED');
        expect(first.subscribed.get_state.get_agents.agents).to.have.length(1);
        framework.run('streamed', 'exit 0');
        const added = await stream.next((r) => r.type === 'TASK_ADDED' && r.task_added.task.task_id.value === 'streamed');
        expect(added.task_added.task.framework_id.value).to.equal(frameworkId);
        await stream.next((r) => r.type === 'TASK_UPDATED' && r.task_updated.status.task_id.value === 'streamed' && r.task_updated.state === 'TASK_FINISHED');
        const seen = stream.records.length;
        heartbeats.advance(15_000);
        await stream.next((r) => r.type === 'HEARTBEAT', seen);
      } finally {
        controller.abort();
        await stream.cancel().catch(() => undefined);
      }
    });

    it('takes Accept: application/recordio for SUBSCRIBE, not for other calls', async () => {
      const controller = new AbortController();
      const response = await fetch(`${base}/api/v1`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/recordio' }, body: '{"type":"SUBSCRIBE"}', signal: controller.signal,
      });
      const stream = new RecordStream(response);
      try {
        expect(response.status).to.equal(200);
        expect(response.headers.get('content-type')).to.equal('application/recordio');
        expect(response.headers.get('message-content-type')).to.equal('application/json');
        expect((await stream.next(() => true)).type).to.equal('SUBSCRIBED');
      } finally {
        controller.abort();
        await stream.cancel().catch(() => undefined);
      }
      const other = await postJson(`${base}/api/v1`, { type: 'GET_STATE' }, { Accept: 'application/recordio' });
      expect(other.status).to.equal(406);
    });

    it('removes the subscription from the master when the client goes away', async () => {
      const operator = cluster.master.operator as { subscribe: (listener: (e: unknown) => void) => () => void };
      const original = operator.subscribe;
      let live = 0;
      operator.subscribe = function (this: unknown, listener) {
        live += 1;
        const stop = original.call(this, listener);
        return () => { live -= 1; stop(); };
      };
      try {
        const controller = new AbortController();
        const response = await fetch(`${base}/api/v1`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"type":"SUBSCRIBE"}', signal: controller.signal });
        const stream = new RecordStream(response);
        await stream.next((r) => r.type === 'SUBSCRIBED');
        expect(live).to.equal(1);
        controller.abort();
        await stream.cancel().catch(() => undefined);
        await eventually('the master dropped the subscriber', () => live === 0);
      } finally {
        operator.subscribe = original;
      }
    });
  });
});
