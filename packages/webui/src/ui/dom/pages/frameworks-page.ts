import { formatResources } from '../../core/resources.js';
import { frameworkRows } from '../../core/view-models.js';
import { h, table, when } from '../html.js';
import type { AppContext, Page } from '../page.js';

export function frameworksPage(ctx: AppContext): Page {
  const root = h('section', { class: 'page', 'data-page': 'frameworks' });
  const update = () => {
    const rows = frameworkRows(ctx.model).map((f) => h('tr', { 'data-framework-id': f.id, class: f.completed ? 'completed' : '' },
      h('td', { class: 'id' }, h('a', { href: `#/tasks?text=${encodeURIComponent(f.id)}` }, f.id)), h('td', {}, f.name), h('td', {}, f.user),
      h('td', {}, f.roles.join(', ')), h('td', {}, f.completed ? 'completed' : f.active ? 'active' : f.connected ? 'inactive' : 'disconnected'),
      h('td', {}, formatResources(f.used)), h('td', { class: 'num' }, f.liveTasks), h('td', { class: 'num' }, f.finishedTasks), h('td', {}, when(f.registeredTime))));
    root.replaceChildren(h('h2', {}, 'Frameworks'),
      table(['ID', 'Name', 'User', 'Roles', 'State', 'Used', 'Live tasks', 'Ended tasks', 'Registered'], rows, 'No frameworks.'));
  };
  update();
  return { root, update };
}
