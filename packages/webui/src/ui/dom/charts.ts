/** Small SVG charts: a usage bar per resource, and a donut of tasks by state. */
import { formatAmount } from '../core/resources.js';
import { svg, h } from './html.js';

/** `used / total` of one resource as a labelled bar. */
export function usageBar(name: string, used: number, total: number): HTMLElement {
  const fraction = total > 0 ? Math.min(1, used / total) : 0;
  const width = 240;
  return h('div', { class: 'usage', 'data-resource': name },
    h('span', { class: 'usage-name' }, name),
    svg('svg', { width, height: 14, viewBox: `0 0 ${width} 14`, role: 'img', 'aria-label': `${name} ${Math.round(fraction * 100)}% used` },
      svg('rect', { x: 0, y: 0, width, height: 14, rx: 3, class: 'bar-total' }),
      svg('rect', { x: 0, y: 0, width: Math.round(width * fraction), height: 14, rx: 3, class: 'bar-used' })),
    h('span', { class: 'usage-text' }, `${formatAmount(name, used)} / ${formatAmount(name, total)}`));
}

const STATE_COLOURS: Record<string, string> = {
  TASK_STAGING: '#9aa5b1', TASK_STARTING: '#7b8794', TASK_RUNNING: '#2f80ed', TASK_KILLING: '#f2994a',
  TASK_FINISHED: '#27ae60', TASK_FAILED: '#eb5757', TASK_KILLED: '#bb6bd9', TASK_LOST: '#b33939', TASK_ERROR: '#c0392b',
};

/** A donut with one arc per state, and its legend. */
export function stateDonut(counts: { state: string; count: number }[]): HTMLElement {
  const total = counts.reduce((sum, c) => sum + c.count, 0);
  const radius = 40;
  const circumference = 2 * Math.PI * radius;
  const arcs: SVGElement[] = [svg('circle', { cx: 50, cy: 50, r: radius, class: 'donut-hole' })];
  let offset = 0;
  for (const { state, count } of counts) {
    const length = total === 0 ? 0 : circumference * count / total;
    arcs.push(svg('circle', {
      cx: 50, cy: 50, r: radius, fill: 'none', stroke: STATE_COLOURS[state] ?? '#555', 'stroke-width': 14,
      'stroke-dasharray': `${length} ${circumference - length}`, 'stroke-dashoffset': String(-offset), transform: 'rotate(-90 50 50)',
    }));
    offset += length;
  }
  arcs.push(svg('text', { x: 50, y: 55, 'text-anchor': 'middle', class: 'donut-total' }, String(total)));
  return h('div', { class: 'donut' },
    svg('svg', { width: 120, height: 120, viewBox: '0 0 100 100', role: 'img', 'aria-label': `${total} tasks` }, ...arcs),
    h('ul', { class: 'legend' }, ...counts.map(({ state, count }) =>
      h('li', { 'data-state': state }, h('span', { class: 'swatch', style: `background:${STATE_COLOURS[state] ?? '#555'}` }), `${state.replace('TASK_', '')}: ${count}`))));
}
