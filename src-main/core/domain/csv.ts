// CSV for every door that writes one (the CLI's `compare --csv`, the renderer's export), so both
// defuse formulas alike. CSV as RFC 4180 describes it: comma separated, CRLF line ends, a field quoted when it holds a
// comma, quote or line break, quotes doubled. Spreadsheet formula injection is defused by
// prefixing a quote to text that starts with = + - @ (but not to numbers).

export type Cell = string | number | boolean | null | undefined;

export function csvField(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = String(v);
  if (/^[=+\-@]/.test(s) && !/^[-+]?\d/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
