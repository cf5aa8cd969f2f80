import { formatResources } from '../../core/resources.js';
import { agentRows } from '../../core/view-models.js';
import { h, table, when } from '../html.js';
import type { AppContext, Page } from '../page.js';

export function agentsPage(ctx: AppContext): Page {
  const root = h('section', { class: 'page', 'data-page': 'agents' });
  const update = () => {
    const rows = agentRows(ctx.model).map((a) => h('tr', { 'data-agent-id': a.id },
      h('td', { class: 'id' }, a.id), h('td', {}, a.port === undefined ? a.hostname : `${a.hostname}:${a.port}`),
      h('td', {}, a.active ? 'active' : 'inactive'), h('td', {}, formatResources(a.resources)), h('td', {}, formatResources(a.used)),
      h('td', { class: 'num' }, a.liveTasks), h('td', {}, when(a.registeredTime))));
    root.replaceChildren(h('h2', {}, 'Agents'), table(['ID', 'Host', 'State', 'Resources', 'Used', 'Live tasks', 'Registered'], rows, 'No agents registered.'));
  };
  update();
  return { root, update };
}
