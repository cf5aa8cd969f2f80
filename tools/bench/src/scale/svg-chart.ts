/** One line of a chart. */
export interface Series {
  name: string;
  points: [number, number][];
  color?: string;
}

/** What a chart shows. */
export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  width?: number;
  height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** About five round tick values from 0 to at least `max`. */
function ticks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/**
 * A line chart as a self-contained SVG (no script, no external font), axes from zero, a legend
 * at the top: what the bench scripts write under docs/charts/.
 */
export function lineChart(spec: ChartSpec): string {
  const width = spec.width ?? 720;
  const height = spec.height ?? 360;
  const pad = { left: 64, right: 16, top: 48, bottom: 44 };
  const all = spec.series.flatMap((s) => s.points);
  const xTicks = ticks(Math.max(0, ...all.map(([x]) => x)));
  const yTicks = ticks(Math.max(0, ...all.map(([, y]) => y)));
  const xMax = xTicks.at(-1)!;
  const yMax = yTicks.at(-1)!;
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const px = (x: number): number => pad.left + (x / xMax) * plotW;
  const py = (y: number): number => pad.top + plotH - (y / yMax) * plotH;
  const fmt = (v: number): string => (Math.abs(v) >= 10_000 ? `${v / 1000}k` : String(v));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14">${escape(spec.title)}</text>`,
  ];
  for (const t of yTicks) {
    parts.push(`<line x1="${pad.left}" x2="${width - pad.right}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${pad.left - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`);
  }
  for (const t of xTicks) parts.push(`<text x="${px(t).toFixed(1)}" y="${height - pad.bottom + 16}" text-anchor="middle">${fmt(t)}</text>`);
  parts.push(`<line x1="${pad.left}" x2="${pad.left}" y1="${pad.top}" y2="${pad.top + plotH}" stroke="#333"/>`);
  parts.push(`<line x1="${pad.left}" x2="${width - pad.right}" y1="${pad.top + plotH}" y2="${pad.top + plotH}" stroke="#333"/>`);
  parts.push(`<text x="${pad.left + plotW / 2}" y="${height - 8}" text-anchor="middle">${escape(spec.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${pad.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(spec.yLabel)}</text>`);
  spec.series.forEach((series, i) => {
    const color = series.color ?? COLORS[i % COLORS.length]!;
    if (series.points.length > 0) {
      const d = series.points.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
      parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
    }
    const lx = pad.left + 8 + i * 130;
    parts.push(`<rect x="${lx}" y="28" width="12" height="3" fill="${color}"/><text x="${lx + 16}" y="33">${escape(series.name)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
