import { TASK_STATES } from '../../core/entities.js';
import { formatResources } from '../../core/resources.js';
import { taskRows, type TaskFilter } from '../../core/view-models.js';
import { h, stateClass, table, when } from '../html.js';
import type { AppContext, Page } from '../page.js';

/** The task table with its filters; the filters live outside the redrawn table so typing keeps focus. */
export function tasksPage(ctx: AppContext, _params: string[], query: URLSearchParams): Page {
  const filter: TaskFilter = { state: query.get('state') ?? '', text: query.get('text') ?? '' };
  const body = h('div', { class: 'task-table' });
  const count = h('span', { class: 'count' });
  const stateSelect = h('select', { name: 'state', 'aria-label': 'state filter' },
    h('option', { value: '' }, 'all states'), h('option', { value: 'live' }, 'live'), h('option', { value: 'terminal' }, 'ended'),
    ...TASK_STATES.map((s) => h('option', { value: s }, s)));
  stateSelect.value = filter.state;
  const textInput = h('input', { type: 'search', name: 'text', placeholder: 'filter by id, name, framework, host', 'aria-label': 'text filter', value: filter.text });
  const update = () => {
    const rows = taskRows(ctx.model, filter);
    count.textContent = `${rows.length} of ${ctx.model.tasks.size}`;
    body.replaceChildren(table(['ID', 'Name', 'State', 'Framework', 'Host', 'Resources', 'Updated', ''], rows.map((t) =>
      h('tr', { 'data-task-id': t.id, 'data-state': t.state },
        h('td', { class: 'id' }, t.id), h('td', {}, t.name), h('td', {}, h('span', { class: stateClass(t.state) }, t.state)),
        h('td', {}, t.frameworkName || t.frameworkId), h('td', {}, t.agentHostname || t.agentId), h('td', {}, formatResources(t.resources)),
        h('td', {}, when(t.updatedTime)),
        h('td', {}, h('a', { href: `#/sandbox/${encodeURIComponent(t.frameworkId)}/${encodeURIComponent(t.id)}`, class: 'sandbox-link' }, 'sandbox')))),
    'No tasks match.'));
  };
  stateSelect.addEventListener('change', () => { filter.state = stateSelect.value; update(); });
  textInput.addEventListener('input', () => { filter.text = textInput.value; update(); });
  const root = h('section', { class: 'page', 'data-page': 'tasks' },
    h('h2', {}, 'Tasks'), h('div', { class: 'filters' }, stateSelect, textInput, count), body);
  update();
  return { root, update };
}
