/**
 * End to end: a real `tessera local` serves the web UI; headless Chromium loads it, sees the
 * agent's resources, and follows a task launched by `tessera execute` to TASK_FINISHED without
 * a reload, then reads its stdout from the agent through the sandbox page.
 */
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/chromium.js';
import { runExecute, startLocalCluster, type LocalCluster } from './support/local-cluster.js';

describe('web UI on a real local cluster (headless Chromium)', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let cluster: LocalCluster | undefined;
  let page: Page;

  before(async () => {
    browser = await launchChromium();
    cluster = await startLocalCluster(['--agents', '1', '--resources', 'cpus:2;mem:1024;disk:2048']);
    page = await browser.newPage();
  });

  after(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  it('shows the agent, then a launched task reaching TASK_FINISHED live, and its stdout', async () => {
    if (cluster === undefined) throw new Error('no cluster');
    await page.goto(cluster.uiUrl);
    await page.locator('#stream-status[data-status="live"]').waitFor();
    // The overview charts the agent's 2 cpus and 1 GB, none used yet.
    await page.locator('[data-resource="cpus"] .usage-text', { hasText: '0 / 2' }).waitFor();
    expect(await page.locator('[data-resource="mem"] .usage-text').textContent()).to.equal('0 MB / 1 GB');
    expect(await page.locator('[data-count="agents"]').textContent()).to.equal('1 active, 0 inactive');

    await page.click('nav a[data-route="tasks"]');
    await page.locator('[data-page="tasks"]').waitFor();
    await page.evaluate(() => { (globalThis as unknown as { marker: number }).marker = 1; });

    const executed = await runExecute([...cluster.executeArgs, '--name', 'hello-ui', '--command', 'echo hello-ui']);
    expect(executed.code, executed.output).to.equal(0);
    const row = page.locator('tr[data-task-id][data-state="TASK_FINISHED"]', { hasText: 'hello-ui' });
    await row.waitFor({ timeout: 15_000 });
    // The same document: the row came from the SUBSCRIBE stream, not a reload.
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).to.equal(1);

    await row.locator('a.sandbox-link').click();
    await page.locator('pre[data-file="stdout"]', { hasText: 'hello-ui' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-page="sandbox"] [data-task-state]').getAttribute('data-task-state')).to.equal('TASK_FINISHED');
  });
});
