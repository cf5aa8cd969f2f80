/**
 * The pages in headless Chromium against a scripted master (test/support/fake-master.ts), so each
 * test controls exactly which events the page gets. The real cluster is webui.test.ts's job.
 */
import { expect } from 'chai';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/chromium.js';
import { FakeMaster } from './support/fake-master.js';

const cpus = (value: number) => ({ name: 'cpus', type: 'SCALAR', scalar: { value } });
const mem = (value: number) => ({ name: 'mem', type: 'SCALAR', scalar: { value } });

function v1Agent(id: string, port: number, cpuCount: number) {
  return { agent_info: { id: { value: id }, hostname: '127.0.0.1', port, resources: [cpus(cpuCount), mem(2048)] }, active: true, version: '0.1.0', total_resources: [cpus(cpuCount), mem(2048)], allocated_resources: [], offered_resources: [] };
}

function v1Task(id: string, state: string) {
  return { name: `name-${id}`, task_id: { value: id }, framework_id: { value: 'f1' }, agent_id: { value: 'a1' }, state, resources: [cpus(1), mem(128)], statuses: [] };
}

const taskUpdated = (id: string, state: string) => ({
  type: 'TASK_UPDATED', task_updated: { framework_id: { value: 'f1' }, agent_id: { value: 'a1' }, state, status: { task_id: { value: id }, state, timestamp: 1_700_000_000 } },
});

describe('web UI pages (scripted master, headless Chromium)', function () {
  this.timeout(30_000);
  let browser: Browser;
  let master: FakeMaster;
  let url: string;
  let page: Page;

  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    master = new FakeMaster();
    url = await master.start();
    const agent = v1Agent('a1', master.agentPort, 4);
    master.state = {
      id: 'm1', hostname: 'box', version: '0.1.0', leader: 'master@master', start_time: 1_700_000_000,
      slaves: [{ id: 'a1', hostname: '127.0.0.1', port: master.agentPort, active: true, resources: { cpus: 4, mem: 2048, disk: 0, gpus: 0 } }],
      frameworks: [{ id: 'f1', name: 'fw-one', user: 'u', roles: ['web'], active: true, connected: true, tasks: [], completed_tasks: [] }],
      completed_frameworks: [],
    };
    master.subscribed = {
      type: 'SUBSCRIBED',
      subscribed: {
        get_state: {
          get_agents: { agents: [agent], recovered_agents: [] },
          get_frameworks: { frameworks: [{ framework_info: { id: { value: 'f1' }, name: 'fw-one', user: 'u', roles: ['web'] }, active: true, connected: true, recovered: false, offers: [], inverse_offers: [], allocated_resources: [], offered_resources: [] }], completed_frameworks: [] },
          get_tasks: { pending_tasks: [], tasks: [], unreachable_tasks: [], completed_tasks: [] },
          get_executors: { executors: [] },
        },
      },
    };
    page = await browser.newPage();
  });

  afterEach(async () => {
    await page?.close();
    await master?.stop();
  });

  /** Opens the UI at a route and waits for the event stream to be live. */
  async function open(route: string): Promise<void> {
    await page.goto(`${url}#${route}`);
    await page.locator('#stream-status[data-status="live"]').waitFor();
  }

  it('overview shows the agent resources and counts, and follows AGENT_ADDED without reloading or polling /state', async () => {
    await open('/');
    await page.locator('[data-resource="cpus"] .usage-text', { hasText: '0 / 4' }).waitFor();
    expect(await page.locator('[data-count="agents"]').textContent()).to.equal('1 active, 0 inactive');
    expect(await page.locator('[data-count="frameworks"]').textContent()).to.equal('1 active, 0 inactive, 0 completed');
    await page.evaluate(() => { (globalThis as unknown as { marker: number }).marker = 1; });
    master.emit({ type: 'AGENT_ADDED', agent_added: { agent: v1Agent('a2', 1, 2) } });
    await page.locator('[data-resource="cpus"] .usage-text', { hasText: '0 / 6' }).waitFor();
    expect(await page.locator('[data-count="agents"]').textContent()).to.equal('2 active, 0 inactive');
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).to.equal(1);
    expect(master.requests.filter((r) => r === 'GET /state')).to.have.length(1);
  });

  it('tasks page shows a task added and finished live, and its state and text filters narrow the table', async () => {
    await open('/tasks');
    master.emit({ type: 'TASK_ADDED', task_added: { task: v1Task('t-run', 'TASK_RUNNING') } });
    master.emit({ type: 'TASK_ADDED', task_added: { task: v1Task('t-done', 'TASK_STAGING') } });
    master.emit(taskUpdated('t-done', 'TASK_FINISHED'));
    await page.locator('tr[data-task-id="t-done"][data-state="TASK_FINISHED"]').waitFor();
    await page.locator('tr[data-task-id="t-run"][data-state="TASK_RUNNING"]').waitFor();

    await page.selectOption('select[name="state"]', 'TASK_FINISHED');
    expect(await page.locator('tr[data-task-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-task-id')))).to.deep.equal(['t-done']);
    await page.selectOption('select[name="state"]', 'live');
    expect(await page.locator('tr[data-task-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-task-id')))).to.deep.equal(['t-run']);
    await page.selectOption('select[name="state"]', '');
    await page.fill('input[name="text"]', 'NAME-T-DONE');
    expect(await page.locator('tr[data-task-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-task-id')))).to.deep.equal(['t-done']);
    // A live update redraws the filtered table without losing the filter or the input's focus.
    master.emit(taskUpdated('t-run', 'TASK_FAILED'));
    await page.fill('input[name="text"]', '');
    await page.locator('tr[data-task-id="t-run"][data-state="TASK_FAILED"]').waitFor();
  });

  it('sandbox page tails stdout from the agent, picks up appended output within the polling interval, and lists the files', async () => {
    const directory = '/frameworks/f1/executors/t1/runs/r1';
    const dir = path.join(master.sandboxRoot, directory);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'stdout'), 'first line\n');
    writeFileSync(path.join(dir, 'stderr'), 'warning here\n');
    master.agentState = { frameworks: [{ id: 'f1', executors: [{ id: 't1', directory, tasks: [{ id: 't1' }], completed_tasks: [] }] }] };
    master.subscribed = withTask(master.subscribed, v1Task('t1', 'TASK_RUNNING'));
    await open('/sandbox/f1/t1');
    await page.locator('pre[data-file="stdout"]', { hasText: 'first line' }).waitFor();
    await page.locator('pre[data-file="stderr"]', { hasText: 'warning here' }).waitFor();
    appendFileSync(path.join(dir, 'stdout'), 'second line\n');
    await page.locator('pre[data-file="stdout"]', { hasText: 'second line' }).waitFor({ timeout: 5_000 });
    expect(await page.locator('pre[data-file="stdout"]').textContent()).to.equal('first line\nsecond line\n');
    expect(await page.locator('.listing tr[data-path]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-path')).sort()))
      .to.deep.equal([`${directory}/stderr`, `${directory}/stdout`]);
  });

  it('roles page shows each role with its weight, dominant share and quota', async () => {
    master.roles = { roles: [{ name: 'web', weight: 3, frameworks: ['f1'], resources: { cpus: 2, mem: 256 }, allocated: { cpus: 2, mem: 256 }, quota: { role: 'web', guarantee: { cpus: 1 }, limit: { cpus: 3 } } }] };
    await open('/roles');
    const row = page.locator('tr[data-role="web"]');
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    // 2 of 4 cpus is the dominant share (256 of 2048 MB is less).
    expect(cells).to.deep.equal(['web', '3', '1', 'cpus: 2, mem: 256 MB', '50.0% (cpus)', 'cpus: 1', 'cpus: 3']);
  });
});

/** The SUBSCRIBED event with one more task in get_tasks.tasks. */
function withTask(subscribed: unknown, task: unknown): unknown {
  const copy = structuredClone(subscribed) as { subscribed: { get_state: { get_tasks: { tasks: unknown[] } } } };
  copy.subscribed.get_state.get_tasks.tasks.push(task);
  return copy;
}
