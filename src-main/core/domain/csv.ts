// CSV for every door that writes one (the CLI's `compare --csv`, the renderer's export), so both
// defuse formulas alike. CSV as RFC 4180 describes it: comma separated, CRLF line ends, a field quoted when it holds a
// comma, quote or line break, quotes doubled. Spreadsheet formula injection is defused by OWASP's
// rule (https://owasp.org/www-community/attacks/CSV_Injection): a text cell that starts with =, +,
// -, @, tab or carriage return gets a leading quote, whatever follows ("+1+HYPERLINK(...)" is a
// formula too). Numbers stay numbers: a number cell, and text that is one plain numeric literal
// and nothing else (a spreadsheet reads "-0.5" as a number, never as a formula).

export type Cell = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NUMERIC_LITERAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

export function csvField(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = String(v);
  if (FORMULA_START.test(s) && !NUMERIC_LITERAL.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
