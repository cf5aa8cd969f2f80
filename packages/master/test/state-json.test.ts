import { expect } from 'chai';
import { Resources, type TaskInfo, type TaskStatus } from '@tessera/protocol';
import { masterFlags } from '../src/master-flags.js';
import { MasterState } from '../src/master-state.js';
import { agentLifecycle } from '../src/lifecycle/agent-lifecycle.js';
import type { OperatorSources } from '../src/operator/operator-host.js';
import { stateView } from '../src/operator/operator-views.js';
import { usedByFramework } from '../src/operator/operator-resources.js';
import { sumOfTaskResources } from '../src/task-storage.js';
import { joinStateJson, stateJsonParts, type StateJsonParts } from '../src/operator/state-json.js';

/** What an encoder does with lists that ask to keep their bytes: writes them and hands them over. */
function keepLists(parts: StateJsonParts): number {
  let kept = 0;
  for (const part of parts) {
    if (typeof part === 'string' || Buffer.isBuffer(part) || part.keep === undefined) continue;
    part.keep(Buffer.from(joinStateJson([part])));
    kept += 1;
  }
  return kept;
}

const keptBytes = (parts: StateJsonParts): number => parts.filter((p) => Buffer.isBuffer(p)).length;

const resources = (cpus: number): TaskInfo['resources'] => [{ name: 'cpus', type: 'SCALAR', scalar: { value: cpus } }, { name: 'mem', type: 'SCALAR', scalar: { value: 64 } }];

function cluster(frameworkName: string): { sources: OperatorSources; state: MasterState } {
  const state = new MasterState({ maxCompletedFrameworks: 5, maxCompletedTasksPerFramework: 5 });
  const sources: OperatorSources = {
    state, flags: masterFlags({ hostname: 'test' }), masterId: 'm', pid: 'master@test', now: () => 1_000, startedAt: 1_000, electedAt: 1_000, leaderHostname: 'test',
  };
  const framework = state.addFramework({ user: 'u', name: frameworkName, id: { value: 'f1' } }, 'scheduler@test', 1_000);
  const agents = [0, 1].map((i) => state.addAgent({ hostname: `h${i}`, resources: resources(4), id: { value: `a${i}` } }, `agent@h${i}`, '0.1.0', 1_000));
  // Admitted, as the master admits them: only those are listed in /state.
  for (const agent of agents) agent.lifecycle = agentLifecycle.must(agent.lifecycle, 'ADMITTED');
  for (let i = 0; i < 6; i++) {
    state.addTask(framework, agents[i % 2]!, { name: `t${i}`, task_id: { value: `t${i}` }, agent_id: { value: agents[i % 2]!.id }, resources: resources(i % 3 === 0 ? 1 : 0.5) }, undefined);
  }
  return { sources, state };
}

const running = (id: string, state: TaskStatus['state'] = 'TASK_RUNNING'): TaskStatus => ({ task_id: { value: id }, state, source: 'SOURCE_EXECUTOR', timestamp: 2, message: `now ${state}` });

describe('/state as JSON parts', () => {
  it('joins to exactly the JSON of the /state view', () => {
    const { sources } = cluster('plain');
    expect(joinStateJson(stateJsonParts(sources))).to.equal(JSON.stringify(stateView(sources)));
    expect(JSON.parse(joinStateJson(stateJsonParts(sources))).slaves).to.have.length(2);
  });

  it('stays exact as tasks change state, end, and move to the completed list', () => {
    const { sources, state } = cluster('plain');
    joinStateJson(stateJsonParts(sources));
    const framework = state.frameworks.get('f1')!;
    for (const id of ['t0', 't1', 't2']) state.updateTask(framework.tasks.get(id)!, running(id));
    expect(joinStateJson(stateJsonParts(sources))).to.equal(JSON.stringify(stateView(sources)));
    const ending = framework.tasks.get('t1')!;
    state.updateTask(ending, running('t1', 'TASK_FINISHED'));
    state.completeTask(ending);
    state.updateTask(framework.tasks.get('t0')!, running('t0'));
    expect(joinStateJson(stateJsonParts(sources))).to.equal(JSON.stringify(stateView(sources)));
  });

  it('keeps each agent exact as tasks and executors come and go, offers are made and used, and it is deactivated', () => {
    const { sources, state } = cluster('plain');
    const exact = (): void => { expect(joinStateJson(stateJsonParts(sources))).to.equal(JSON.stringify(stateView(sources))); };
    exact();
    const framework = state.frameworks.get('f1')!;
    const agent = state.agents.get('a0')!;
    state.addTask(framework, agent, { name: 'late', task_id: { value: 'late' }, agent_id: { value: 'a0' }, resources: resources(2) }, undefined);
    exact();
    const ending = framework.tasks.get('t0')!;
    state.updateTask(ending, running('t0', 'TASK_FINISHED'));
    state.completeTask(ending);
    exact();
    framework.executors.set('a0', new Map([['e1', { executor_id: { value: 'e1' }, resources: resources(0.25) } as never]]));
    exact();
    state.offers.add({ id: 'o1', frameworkId: 'f1', agentId: 'a0', resources: Resources.of(resources(0.5)), offer: {} as never, role: '*' });
    exact();
    state.offers.remove('o1');
    exact();
    state.deactivatedAgents.add('a0');
    exact();
    agent.total = Resources.of(resources(8));
    exact();
  });

  it('writes a task changed after the parts were taken as it was when they were taken', () => {
    const { sources, state } = cluster('plain');
    const framework = state.frameworks.get('f1')!;
    const before = JSON.stringify(stateView(sources));
    const parts = stateJsonParts(sources);
    state.updateTask(framework.tasks.get('t2')!, running('t2'));
    expect(joinStateJson(parts)).to.equal(before);
    expect(joinStateJson(stateJsonParts(sources))).to.equal(JSON.stringify(stateView(sources)));
  });

  it('sends a framework\'s task lists as the bytes written before while none of its tasks changes', () => {
    const { sources, state } = cluster('plain');
    const exact = (parts: StateJsonParts): void => { expect(joinStateJson(parts)).to.equal(JSON.stringify(stateView(sources))); };
    const first = stateJsonParts(sources);
    expect(keptBytes(first)).to.equal(0);
    expect(keepLists(first)).to.equal(3); // agents, tasks and completed_tasks
    const second = stateJsonParts(sources);
    expect(keptBytes(second)).to.equal(3);
    exact(second);
    const framework = state.frameworks.get('f1')!;
    // Each change, and how many lists stay kept: the agents' when no agent's used resources move.
    const changes: [() => void, number][] = [
      [() => state.updateTask(framework.tasks.get('t3')!, running('t3')), 1],
      [() => { const t = framework.tasks.get('t4')!; state.updateTask(t, running('t4', 'TASK_FAILED')); state.completeTask(t); }, 0],
      [() => state.addTask(framework, state.agents.get('a1')!, { name: 'n', task_id: { value: 'n' }, agent_id: { value: 'a1' }, resources: resources(1) }, undefined), 0],
    ];
    for (const [change, stillKept] of changes) {
      change();
      const parts = stateJsonParts(sources);
      expect(keptBytes(parts)).to.equal(stillKept);
      exact(parts);
      keepLists(parts);
      exact(stateJsonParts(sources));
    }
  });

  it('sends the agent list as the bytes written before until any agent\'s view changes', () => {
    const { sources, state } = cluster('plain');
    const exact = (parts: StateJsonParts): void => { expect(joinStateJson(parts)).to.equal(JSON.stringify(stateView(sources))); };
    keepLists(stateJsonParts(sources));
    const changes: (() => void)[] = [
      () => state.deactivatedAgents.add('a1'),
      () => state.offers.add({ id: 'o1', frameworkId: 'f1', agentId: 'a0', resources: Resources.of(resources(0.5)), offer: {} as never, role: '*' }),
      () => { state.agents.get('a0')!.total = Resources.of(resources(8)); },
      () => state.setAgentPid(state.agents.get('a1')!, 'agent@moved'),
    ];
    for (const change of changes) {
      const unchanged = stateJsonParts(sources);
      expect(keptBytes(unchanged)).to.equal(3);
      change();
      const parts = stateJsonParts(sources);
      expect(keptBytes(parts)).to.equal(2); // the task lists still; the agents written again
      exact(parts);
      keepLists(parts);
    }
  });

  it('sums a framework\'s used resources again whenever its tasks change', () => {
    const { state } = cluster('plain');
    const framework = state.frameworks.get('f1')!;
    const fresh = (): unknown => sumOfTaskResources([...framework.tasks.values()].map((r) => r.task)).toJSON();
    expect(usedByFramework(framework).toJSON()).to.deep.equal(fresh());
    const ending = framework.tasks.get('t0')!;
    state.updateTask(ending, running('t0', 'TASK_FINISHED'));
    state.completeTask(ending);
    expect(usedByFramework(framework).toJSON()).to.deep.equal(fresh());
    state.addTask(framework, state.agents.get('a0')!, { name: 'big', task_id: { value: 'big' }, agent_id: { value: 'a0' }, resources: resources(3) }, undefined);
    expect(usedByFramework(framework).toJSON()).to.deep.equal(fresh());
    expect(fresh()).to.not.deep.equal(Resources.EMPTY.toJSON());
  });

  it('does not keep the bytes of lists older than those kept', () => {
    const { sources, state } = cluster('plain');
    const old = stateJsonParts(sources);
    const framework = state.frameworks.get('f1')!;
    state.updateTask(framework.tasks.get('t5')!, running('t5'));
    const now = stateJsonParts(sources);
    keepLists(now);
    keepLists(old); // written late: the older snapshot must not replace the newer one
    const next = stateJsonParts(sources);
    expect(keptBytes(next)).to.equal(3);
    expect(joinStateJson(next)).to.equal(JSON.stringify(stateView(sources)));
  });

  it('is not fooled by a framework whose name looks like a stand-in for a task list', () => {
    const { sources } = cluster('\u0000x:0"],"tasks":[');
    const json = joinStateJson(stateJsonParts(sources));
    expect(json).to.equal(JSON.stringify(stateView(sources)));
    expect(JSON.parse(json).frameworks[0].tasks).to.have.length(6);
  });
});
