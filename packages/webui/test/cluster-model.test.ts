import { expect } from 'chai';
import { ClusterModel } from '@tessera/webui/core/cluster-model.js';
import { agentRows, frameworkRows, overview, roleRows, taskRows } from '@tessera/webui/core/view-models.js';

/** A v0 /state with one agent (4 cpus, 1 GB) and one framework running one task. */
function v0State(): unknown {
  return {
    id: 'm1', hostname: 'box', version: '0.1.0', leader: 'master@master', start_time: 100,
    slaves: [{ id: 'a1', hostname: '127.0.0.1', port: 5051, active: true, resources: { cpus: 4, mem: 1024, disk: 0, gpus: 0, ports: '[31000-32000]' } }],
    frameworks: [{
      id: 'f1', name: 'web', user: 'u', roles: ['*'], active: true, connected: true,
      tasks: [{ id: 't1', name: 'one', framework_id: 'f1', executor_id: '', slave_id: 'a1', state: 'TASK_RUNNING', resources: { cpus: 1, mem: 128 }, statuses: [{ state: 'TASK_RUNNING', timestamp: 101 }] }],
      completed_tasks: [{ id: 't0', name: 'zero', framework_id: 'f1', executor_id: 'e0', slave_id: 'a1', state: 'TASK_FINISHED', resources: { cpus: 2 }, statuses: [] }],
    }],
    completed_frameworks: [{ id: 'f0', name: 'old', user: 'u', roles: ['*'], tasks: [], completed_tasks: [] }],
  };
}

const cpus = (value: number) => ({ name: 'cpus', type: 'SCALAR', scalar: { value } });
const mem = (value: number) => ({ name: 'mem', type: 'SCALAR', scalar: { value } });

function v1Task(id: string, state: string, frameworkId = 'f1'): unknown {
  return { name: id, task_id: { value: id }, framework_id: { value: frameworkId }, agent_id: { value: 'a1' }, state, resources: [cpus(0.5), mem(64)], statuses: [] };
}

describe('cluster model', () => {
  it('loads a v0 /state: agents, live and completed frameworks, live and completed tasks', () => {
    const model = new ClusterModel();
    model.loadState(v0State());
    expect(model.master).to.deep.equal({ id: 'm1', hostname: 'box', version: '0.1.0', leader: 'master@master', startTime: 100 });
    expect(model.agents.get('a1')).to.include({ hostname: '127.0.0.1', port: 5051, active: true });
    expect(model.agents.get('a1')?.resources).to.deep.equal({ cpus: 4, mem: 1024, disk: 0, gpus: 0 });
    expect(model.frameworks.get('f0')?.completed).to.equal(true);
    // A command task's executor is named after the task (Mesos leaves executor_id empty).
    expect(model.tasks.get('f1/t1')).to.include({ state: 'TASK_RUNNING', executorId: 't1', agentId: 'a1', updatedTime: 101 });
    expect(model.tasks.get('f1/t0')).to.include({ state: 'TASK_FINISHED', executorId: 'e0' });
  });

  it('adds a task from TASK_ADDED and moves it through TASK_UPDATED', () => {
    const model = new ClusterModel();
    model.loadState(v0State());
    expect(model.applyEvent({ type: 'TASK_ADDED', task_added: { task: v1Task('t2', 'TASK_STAGING') } })).to.equal(true);
    expect(model.tasks.get('f1/t2')).to.include({ state: 'TASK_STAGING', agentId: 'a1' });
    const update = { type: 'TASK_UPDATED', task_updated: { framework_id: { value: 'f1' }, status: { task_id: { value: 't2' }, state: 'TASK_FINISHED', timestamp: 200 }, state: 'TASK_FINISHED' } };
    expect(model.applyEvent(update)).to.equal(true);
    expect(model.tasks.get('f1/t2')).to.include({ state: 'TASK_FINISHED', updatedTime: 200 });
  });

  it('takes the task state from TASK_UPDATED.state, not from an older status being retried', () => {
    const model = new ClusterModel();
    model.applyEvent({ type: 'TASK_ADDED', task_added: { task: v1Task('t', 'TASK_STAGING') } });
    model.applyEvent({ type: 'TASK_UPDATED', task_updated: { framework_id: { value: 'f1' }, status: { task_id: { value: 't' }, state: 'TASK_RUNNING' }, state: 'TASK_FINISHED' } });
    expect(model.tasks.get('f1/t')?.state).to.equal('TASK_FINISHED');
  });

  it('replaces everything with the get_state of SUBSCRIBED (a reconnect starts clean)', () => {
    const model = new ClusterModel();
    model.loadState(v0State());
    model.applyEvent({
      type: 'SUBSCRIBED',
      subscribed: {
        get_state: {
          get_agents: { agents: [{ agent_info: { id: { value: 'a9' }, hostname: 'h9', port: 6000, resources: [cpus(8)] }, active: true, total_resources: [cpus(8), mem(2048)] }] },
          get_frameworks: { frameworks: [{ framework_info: { id: { value: 'f9' }, name: 'nine', user: 'u', roles: ['r'] }, active: true, connected: true }] },
          get_tasks: { tasks: [v1Task('t9', 'TASK_RUNNING', 'f9')], completed_tasks: [v1Task('t8', 'TASK_KILLED', 'f9')] },
        },
      },
    });
    expect([...model.agents.keys()]).to.deep.equal(['a9']);
    expect(model.agents.get('a9')?.resources).to.deep.equal({ cpus: 8, mem: 2048 });
    expect(model.frameworks.get('f9')?.roles).to.deep.equal(['r']);
    expect([...model.tasks.keys()].sort()).to.deep.equal(['f9/t8', 'f9/t9']);
  });

  it('removes agents, marks removed frameworks completed, and ignores unknown events', () => {
    const model = new ClusterModel();
    model.loadState(v0State());
    const before = model.revision;
    expect(model.applyEvent({ type: 'HEARTBEAT' })).to.equal(false);
    expect(model.applyEvent({ type: 'TASK_UPDATED', task_updated: { framework_id: { value: 'f1' }, status: { task_id: { value: 'nope' } }, state: 'TASK_LOST' } })).to.equal(false);
    expect(model.revision).to.equal(before);
    model.applyEvent({ type: 'FRAMEWORK_REMOVED', framework_removed: { framework_info: { id: { value: 'f1' } } } });
    expect(model.frameworks.get('f1')).to.include({ completed: true, active: false });
    model.applyEvent({ type: 'AGENT_REMOVED', agent_removed: { agent_id: { value: 'a1' } } });
    expect(model.agents.size).to.equal(0);
  });
});

describe('view models', () => {
  function loaded(): ClusterModel {
    const model = new ClusterModel();
    model.loadState(v0State());
    model.applyEvent({ type: 'TASK_ADDED', task_added: { task: v1Task('t2', 'TASK_STAGING') } });
    return model;
  }

  it('overview: total from agents, used from live tasks only, counts by state in lifecycle order', () => {
    const o = overview(loaded());
    expect(o.total).to.deep.equal({ cpus: 4, mem: 1024, disk: 0, gpus: 0 });
    // t1 (1 cpu, 128 MB) + t2 (0.5 cpu, 64 MB); finished t0 holds nothing.
    expect(o.used).to.deep.equal({ cpus: 1.5, mem: 192 });
    expect(o.agents).to.deep.equal({ active: 1, inactive: 0 });
    expect(o.frameworks).to.deep.equal({ active: 1, inactive: 0, completed: 1 });
    expect(o.tasksByState).to.deep.equal([{ state: 'TASK_STAGING', count: 1 }, { state: 'TASK_RUNNING', count: 1 }, { state: 'TASK_FINISHED', count: 1 }]);
  });

  it('agent rows carry what their live tasks use', () => {
    const [row] = agentRows(loaded());
    expect(row).to.include({ id: 'a1', liveTasks: 2 });
    expect(row?.used).to.deep.equal({ cpus: 1.5, mem: 192 });
  });

  it('framework rows list live frameworks before completed ones, with task counts', () => {
    const rows = frameworkRows(loaded());
    expect(rows.map((r) => [r.id, r.liveTasks, r.finishedTasks])).to.deep.equal([['f1', 2, 1], ['f0', 0, 0]]);
  });

  it('task rows filter by state (one, live, terminal) and by text over id, name, framework and host', () => {
    const model = loaded();
    const ids = (state: string, text: string) => taskRows(model, { state, text }).map((r) => r.id).sort();
    expect(ids('', '')).to.deep.equal(['t0', 't1', 't2']);
    expect(ids('TASK_RUNNING', '')).to.deep.equal(['t1']);
    expect(ids('live', '')).to.deep.equal(['t1', 't2']);
    expect(ids('terminal', '')).to.deep.equal(['t0']);
    expect(ids('', 'ZER')).to.deep.equal(['t0']);
    expect(ids('', 'web')).to.deep.equal(['t0', 't1', 't2']);
    expect(ids('live', 'nothing-matches')).to.deep.equal([]);
    expect(taskRows(model, { state: '', text: 't1' })[0]).to.include({ frameworkName: 'web', agentHostname: '127.0.0.1' });
  });

  it('role rows: dominant share of the cluster total, weight, and quota in v0 or v1 form', () => {
    const roles = {
      roles: [
        { name: 'a', weight: 2, frameworks: ['f1'], resources: { cpus: 1, mem: 512 }, quota: { guarantee: { cpus: 1 } } },
        { name: 'b', frameworks: [], allocated: [cpus(2)], quota: { guarantees: { cpus: { value: 1 } }, limits: [cpus(3)] } },
      ],
    };
    const rows = roleRows(roles, { cpus: 4, mem: 1024 });
    // b: 2 of 4 cpus = 0.5; a: max(1/4 cpus, 512/1024 mem) = 0.5 by mem; equal shares sort by name.
    expect(rows.map((r) => [r.name, r.share, r.shareResource, r.weight, r.frameworks])).to.deep.equal([['a', 0.5, 'mem', 2, 1], ['b', 0.5, 'cpus', 1, 0]]);
    expect(rows[0]?.guarantee).to.deep.equal({ cpus: 1 });
    expect(rows[1]?.guarantee).to.deep.equal({ cpus: 1 });
    expect(rows[1]?.limit).to.deep.equal({ cpus: 3 });
  });

  it('role rows of a body without roles are empty', () => {
    expect(roleRows({ error: 'x' }, {})).to.deep.equal([]);
  });
});
