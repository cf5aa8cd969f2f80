import { CHARTED_RESOURCES, formatResources } from '../../core/resources.js';
import { overview } from '../../core/view-models.js';
import { usageBar, stateDonut } from '../charts.js';
import { h, table, when } from '../html.js';
import type { AppContext, Page } from '../page.js';

export function overviewPage(ctx: AppContext): Page {
  const root = h('section', { class: 'page', 'data-page': 'overview' });
  const update = () => {
    const o = overview(ctx.model);
    const m = ctx.model.master;
    const agentRows = [...ctx.model.agents.values()].map((a) => h('tr', { 'data-agent-id': a.id }, h('td', {}, a.hostname), h('td', {}, formatResources(a.resources))));
    root.replaceChildren(
      h('h2', {}, 'Cluster'),
      h('p', { class: 'master-info' }, `Leader ${m.leader || '—'} on ${m.hostname || '—'}, version ${m.version || '—'}, started ${when(m.startTime)}`),
      h('div', { class: 'cards' },
        h('div', { class: 'card', 'data-card': 'resources' }, h('h3', {}, 'Resources used / total'),
          ...CHARTED_RESOURCES.filter((r) => (o.total[r] ?? 0) > 0).map((r) => usageBar(r, o.used[r] ?? 0, o.total[r] ?? 0)),
          Object.keys(o.total).length === 0 ? h('p', { class: 'empty' }, 'No agents.') : null),
        h('div', { class: 'card', 'data-card': 'tasks' }, h('h3', {}, 'Tasks by state'), stateDonut(o.tasksByState)),
        h('div', { class: 'card', 'data-card': 'counts' }, h('h3', {}, 'Counts'),
          h('dl', {},
            h('dt', {}, 'Agents'), h('dd', { 'data-count': 'agents' }, `${o.agents.active} active, ${o.agents.inactive} inactive`),
            h('dt', {}, 'Frameworks'), h('dd', { 'data-count': 'frameworks' }, `${o.frameworks.active} active, ${o.frameworks.inactive} inactive, ${o.frameworks.completed} completed`),
            h('dt', {}, 'Tasks'), h('dd', { 'data-count': 'tasks' }, String(ctx.model.tasks.size))))),
      h('h3', {}, 'Agent resources'),
      table(['Host', 'Resources'], agentRows, 'No agents registered.'));
  };
  update();
  return { root, update };
}
