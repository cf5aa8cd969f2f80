import { formatResources } from '../../core/resources.js';
import { overview, roleRows, type RoleRow } from '../../core/view-models.js';
import { getJson } from '../api.js';
import { h, table } from '../html.js';
import type { AppContext, Page } from '../page.js';

/** Roles from one GET /roles when the page opens; shares are of the cluster total the model knows. */
export function rolesPage(ctx: AppContext): Page {
  const body = h('div', {}, h('p', { class: 'empty' }, 'Loading roles…'));
  let roles: unknown;
  const draw = () => {
    if (roles === undefined) return;
    const rows = roleRows(roles, overview(ctx.model).total).map((r: RoleRow) => h('tr', { 'data-role': r.name },
      h('td', {}, r.name), h('td', { class: 'num' }, r.weight), h('td', { class: 'num' }, r.frameworks),
      h('td', {}, formatResources(r.allocated)),
      h('td', { class: 'num' }, `${(r.share * 100).toFixed(1)}%${r.shareResource === undefined ? '' : ` (${r.shareResource})`}`),
      h('td', {}, formatResources(r.guarantee)), h('td', {}, formatResources(r.limit))));
    body.replaceChildren(table(['Role', 'Weight', 'Frameworks', 'Allocated', 'Dominant share', 'Quota guarantee', 'Quota limit'], rows, 'No roles.'));
  };
  const controller = new AbortController();
  getJson('roles', controller.signal).then((answer) => { roles = answer; draw(); })
    .catch((err: Error) => { if (!controller.signal.aborted) body.replaceChildren(h('p', { class: 'error' }, `Cannot read roles: ${err.message}`)); });
  const root = h('section', { class: 'page', 'data-page': 'roles' }, h('h2', {}, 'Roles'), body);
  return { root, update: draw, dispose: () => controller.abort() };
}
