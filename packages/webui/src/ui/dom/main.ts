/**
 * The UI's entry: one GET /state to draw at once, then the SUBSCRIBE stream keeps the model
 * current; hash routes pick the page, and a model change redraws the open page once per frame.
 */
import { ClusterModel } from '../core/cluster-model.js';
import { getJson, subscribe, type StreamStatus } from './api.js';
import { h } from './html.js';
import type { AppContext, Page, PageFactory } from './page.js';
import { agentsPage } from './pages/agents-page.js';
import { frameworksPage } from './pages/frameworks-page.js';
import { overviewPage } from './pages/overview-page.js';
import { rolesPage } from './pages/roles-page.js';
import { sandboxPage } from './pages/sandbox-page.js';
import { tasksPage } from './pages/tasks-page.js';

const ROUTES: Record<string, PageFactory> = {
  '': overviewPage, agents: agentsPage, frameworks: frameworksPage, tasks: tasksPage, sandbox: sandboxPage, roles: rolesPage,
};

const model = new ClusterModel();
const ctx: AppContext = { model, navigate: (hash) => { window.location.hash = hash; } };
const main = document.getElementById('main') as HTMLElement;
const status = document.getElementById('stream-status') as HTMLElement;
let page: Page | undefined;
let drawnRevision = -1;
let frameRequested = false;

function route(): void {
  page?.dispose?.();
  const [path = '', search = ''] = window.location.hash.replace(/^#\/?/, '').split('?');
  const [name = '', ...params] = path.split('/').map(decodeURIComponent);
  const factory = ROUTES[name];
  page = factory === undefined ? { root: h('p', { class: 'error' }, `No page ${name}.`) } : factory(ctx, params, new URLSearchParams(search));
  drawnRevision = model.revision;
  main.replaceChildren(page.root);
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a')) link.classList.toggle('current', link.dataset['route'] === name);
}

function scheduleDraw(): void {
  if (frameRequested) return;
  frameRequested = true;
  window.requestAnimationFrame(() => {
    frameRequested = false;
    if (model.revision === drawnRevision) return;
    drawnRevision = model.revision;
    page?.update?.();
  });
}

function showStatus(state: StreamStatus, detail?: string): void {
  status.textContent = state === 'live' ? 'live' : state === 'connecting' ? 'connecting…' : `disconnected${detail === undefined ? '' : `: ${detail}`}`;
  status.dataset['status'] = state;
}

async function start(): Promise<void> {
  try {
    model.loadState(await getJson('state'));
  } catch (err) {
    showStatus('disconnected', (err as Error).message);
  }
  window.addEventListener('hashchange', route);
  route();
  subscribe({ onEvent: (event) => { if (model.applyEvent(event)) scheduleDraw(); }, onStatus: showStatus });
}

void start();
