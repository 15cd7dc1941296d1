// CSV cells for the map's downloads: RFC 4180 quoting, and no cell a spreadsheet would
// run as a formula (OWASP's rule, the same as the server's CSV).

/** A cell that starts like a formula gets a leading apostrophe; plain numbers stay. */
export function neutralise(s: string): string {
  const first = s.charAt(0);
  const risky = first === '=' || first === '+' || first === '-' || first === '@' || first === '\t' || first === '\r';
  if (!risky) return s;
  // "-3.5" is a number, not a formula; the spreadsheet should read it as one.
  if (s.trim() === s && s !== '' && Number.isFinite(Number(s))) return s;
  return `'${s}`;
}

export function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(v);
  const s = neutralise(String(v));
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A column of the Dutch CSV: its header in words with the unit, and how it is shown. */
export interface DutchColumn {
  key: string;
  header: string;
  /** Decimals as on the map; absent for text. */
  decimals?: number;
  /** Multiplies the value first (metres to kilometres: 0.001). */
  scale?: number;
}

/** A cell as Dutch Excel reads it: decimal comma, rounded as shown, no thousands dots. */
export function dutchCell(v: unknown, column: DutchColumn): string {
  if (v === null || v === undefined || v === '') return '';
  if (column.decimals !== undefined && typeof v === 'number' && Number.isFinite(v)) {
    return (v * (column.scale ?? 1)).toFixed(column.decimals).replace('.', ',');
  }
  const s = neutralise(String(v));
  return /[";\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * CSV in the form Dutch Excel opens by double-click: `;` between cells, decimal commas,
 * readable headers with units, values rounded as displayed, and a byte-order mark.
 */
export function dutchCsvText(columns: DutchColumn[], rows: Record<string, unknown>[]): string {
  const head = columns.map((c) => dutchCell(c.header, { key: c.key, header: c.header })).join(';');
  const lines = [head, ...rows.map((r) => columns.map((c) => dutchCell(r[c.key], c)).join(';'))];
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}

/** RFC 4180 CSV with a byte-order mark, so spreadsheet programs read the accents. */
export function csvText(columns: string[], rows: Record<string, unknown>[]): string {
  const lines = [columns.map(cell).join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))];
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}
