/** A column of a table for people: its header, and numbers aligned right. */
export interface Column<Row> {
  header: string;
  value: (row: Row) => string | number | boolean | undefined;
  align?: 'left' | 'right';
}

/**
 * Rows as a plain-text table: a header line, then one line per row, columns two spaces apart and
 * padded to their widest cell; no trailing spaces. Numbers print with at most two decimals.
 */
export function formatTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((column) => cellText(column.value(row))));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => line[i]!.length)));
  const line = (texts: string[]) => texts
    .map((text, i) => (columns[i]!.align === 'right' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!)))
    .join('  ')
    .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n') + '\n';
}

/** A cell's text: '-' for nothing, numbers rounded to two decimals, booleans as yes/no. */
export function cellText(value: string | number | boolean | undefined): string {
  if (value === undefined || value === '') return '-';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return formatNumber(value);
  return value;
}

export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
}

/** `used/total` of one scalar resource, e.g. `0.5/4`. */
export function usedOfTotal(used: number | string | undefined, total: number | string | undefined): string {
  const n = (v: number | string | undefined) => (typeof v === 'number' ? formatNumber(v) : '0');
  return `${n(used)}/${n(total)}`;
}

/** A scalar map as `cpus:4;mem:1024`, the flag syntax it is set with. */
export function formatScalars(quantities: Record<string, { value: number } | number | string | undefined> | undefined): string {
  if (quantities === undefined) return '-';
  const parts = Object.entries(quantities)
    .filter(([, v]) => v !== undefined)
    .map(([name, v]) => `${name}:${typeof v === 'object' ? formatNumber(v.value) : typeof v === 'number' ? formatNumber(v) : v}`);
  return parts.length === 0 ? '-' : parts.join(';');
}
