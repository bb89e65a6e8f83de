// A study's table as a paper wants it: methods as rows, mean ± std over seeds of top-1 and the
// many / medium / few-shot accuracies (%), and against each baseline the paired difference in top-1
// with its 95% interval and its p-value, Holm-adjusted across the comparisons (and said so).
// LaTeX (booktabs) and Markdown carry the top-1 differences; the CSV, for analysis, carries every
// metric's difference, interval, raw and adjusted p as plain numbers. Pure: `dive study show
// --format` and the Study page's copy and download buttons call the same functions.
import { toCsv, type Cell } from './csv';
import { COMPARED_METRICS, type Comparison, type PairedDifference, type Spread, type SummaryRow } from './study-types';

export const EXPORT_FORMATS = ['csv', 'latex', 'markdown'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface StudyTableInput {
  /** the study's name (the caption's and the label's) */
  name: string;
  split: string;
  summary: readonly SummaryRow[];
  comparisons: readonly Comparison[];
  warnings: readonly string[];
}

const METRIC_TITLE = { top1: 'Top-1', many: 'Many', medium: 'Medium', few: 'Few' } as const;

/** How numbers are written in one format: Markdown and the CLI in Unicode, LaTeX in math mode. */
interface Style {
  pm: string;
  dash: string;
  signed: (x: number) => string;
  less: string;
}

const pts = (x: number) => (100 * x).toFixed(2);
const TEXT: Style = { pm: ' ± ', dash: '\u2013', signed: (x) => `${x >= 0 ? '+' : '\u2212'}${Math.abs(100 * x).toFixed(2)}`, less: '< ' };
const LATEX: Style = { pm: ' $\\pm$ ', dash: '--', signed: (x) => `$${x >= 0 ? '+' : '-'}${Math.abs(100 * x).toFixed(2)}$`, less: '$<$ ' };

/** "77.86 ± 0.31" (points); "77.86" for one seed; a dash without a value. */
export function meanStdText(s: Spread, style: Style = TEXT): string {
  if (s.mean == null) return style.dash;
  return s.std == null ? pts(s.mean) : `${pts(s.mean)}${style.pm}${pts(s.std)}`;
}

/** "+0.66 [−1.01, +2.33]"; no interval below two pairs. */
export function diffText(d: PairedDifference, style: Style = TEXT): string {
  if (d.mean == null) return style.dash;
  return d.lo == null || d.hi == null ? style.signed(d.mean) : `${style.signed(d.mean)} [${style.signed(d.lo)}, ${style.signed(d.hi)}]`;
}

/** 0.2312 -> "0.23"; 0.0081 -> "0.008"; below 0.001 -> "< 0.001"; none -> a dash. */
export function pText(p: number | null | undefined, style: Style = TEXT): string {
  if (p == null || Number.isNaN(p)) return style.dash;
  if (p < 0.001) return `${style.less}0.001`;
  return p < 0.01 ? p.toFixed(3) : p.toFixed(2);
}

/** The baselines compared against, in the order the comparisons name them. */
export function baselinesOf(comparisons: readonly Comparison[]): string[] {
  return [...new Set(comparisons.map((c) => c.baseline))];
}

const find = (cs: readonly Comparison[], group: string, baseline: string) => cs.find((c) => c.group === group && c.baseline === baseline);

/** The caption's words: what the numbers are, and that p is Holm-adjusted across the comparisons. */
export function caption(t: StudyTableInput, latex = false): string {
  const esc = latex ? latexEscape : (x: string) => x;
  const [pct, pm, delta] = latex ? ['\\%', '$\\pm$', '$\\Delta$'] : ['%', '±', 'Δ'];
  const k = t.comparisons.length;
  const seeds = [...new Set(t.summary.map((g) => g.completed))].sort((a, b) => a - b);
  const n = seeds.length === 1 ? `${seeds[0]} seed${seeds[0] === 1 ? '' : 's'}` : 'seeds (n per row)';
  const diffs = k
    ? ` ${delta}: paired difference in top-1 (points) against each baseline, mean [95% paired t interval] over the seeds both share; p: two-sided paired t test, Holm-adjusted across the ${k} comparison${k === 1 ? '' : 's'}.`.replace('95%', `95${pct}`)
    : '';
  return `Study ${esc(t.name)} on split ${esc(t.split)}: top-1 and many / medium / few-shot accuracy (${pct}), mean ${pm} std over ${n}.${diffs}`;
}

/** Header and rows of the paper table, as text cells in `style`. */
function paperRows(t: StudyTableInput, style: Style, esc: (s: string) => string): { header: string[]; rows: string[][] } {
  const bases = baselinesOf(t.comparisons);
  const latex = style === LATEX;
  const header = [
    'Method', latex ? '$n$' : 'n', ...COMPARED_METRICS.map((m) => METRIC_TITLE[m]),
    ...bases.flatMap((b) => [`${latex ? '$\\Delta$' : 'Δ'} top-1 vs ${esc(b)}`, latex ? '$p$' : 'p']),
  ];
  const rows = t.summary.map((g) => [
    esc(g.group),
    String(g.completed),
    ...COMPARED_METRICS.map((m) => meanStdText(g.metrics[m], style)),
    ...bases.flatMap((b) => {
      const c = find(t.comparisons, g.group, b);
      return c ? [diffText(c.diff.top1, style), pText(c.diff.top1.pHolm ?? c.diff.top1.p, style)] : ['', ''];
    }),
  ]);
  return { header, rows };
}

/** LaTeX's special characters in text. */
export function latexEscape(s: string): string {
  const named: Record<string, string> = { '\\': '\\textbackslash{}', '^': '\\textasciicircum{}', '~': '\\textasciitilde{}' };
  return s.replace(/[\\{}&%$#_^~]/g, (c) => named[c] ?? `\\${c}`);
}

export function studyLatex(t: StudyTableInput): string {
  const { header, rows } = paperRows(t, LATEX, latexEscape);
  return [
    // what a reader must know goes beside the table, where the author sees it and the reader does not
    ...t.warnings.map((w) => `% warning: ${w}`),
    '\\begin{table}[t]',
    '\\centering',
    `\\caption{${caption(t, true)}}`,
    `\\label{tab:${t.name.replace(/[^\w.-]+/g, '-')}}`,
    `\\begin{tabular}{l${'r'.repeat(header.length - 1)}}`,
    '\\toprule',
    `${header.join(' & ')} \\\\`,
    '\\midrule',
    ...rows.map((r) => `${r.join(' & ')} \\\\`),
    '\\bottomrule',
    '\\end{tabular}',
    '\\end{table}',
    '',
  ].join('\n');
}

export function studyMarkdown(t: StudyTableInput): string {
  const { header, rows } = paperRows(t, TEXT, (s) => s.replace(/\|/g, '\\|'));
  const line = (r: string[]) => `| ${r.join(' | ')} |`;
  return [
    line(header),
    `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map(line),
    '',
    caption(t),
    ...t.warnings.map((w) => `\n> Warning: ${w}`),
    '',
  ].join('\n');
}

/** Every figure as a number (accuracies in points, 2 decimals; p to 4): one row per group. */
export function studyCsv(t: StudyTableInput): string {
  const bases = baselinesOf(t.comparisons);
  const round = (x: number | null | undefined, digits: number): Cell => (x == null || !Number.isFinite(x) ? null : Number(x.toFixed(digits)));
  const header = [
    'group', 'role', 'method', 'n', ...COMPARED_METRICS.flatMap((m) => [`${m}_mean`, `${m}_std`]), 'ece_mean', 'ece_std',
    ...bases.flatMap((b) => COMPARED_METRICS.flatMap((m) => [`${m}_diff_vs_${b}`, `${m}_lo_vs_${b}`, `${m}_hi_vs_${b}`, `${m}_p_vs_${b}`, `${m}_p_holm_vs_${b}`])),
  ];
  const rows = t.summary.map((g): Cell[] => [
    g.group, g.role, g.method, g.completed,
    ...COMPARED_METRICS.flatMap((m) => [round(g.metrics[m].mean == null ? null : 100 * g.metrics[m].mean, 2), round(g.metrics[m].std == null ? null : 100 * g.metrics[m].std, 2)]),
    round(g.metrics.ece.mean, 4), round(g.metrics.ece.std, 4),
    ...bases.flatMap((b) => {
      const c = find(t.comparisons, g.group, b);
      return COMPARED_METRICS.flatMap((m): Cell[] => {
        const d = c?.diff[m];
        const p100 = (x: number | null | undefined) => round(x == null ? null : 100 * x, 2);
        return d ? [p100(d.mean), p100(d.lo), p100(d.hi), round(d.p, 4), round(d.pHolm, 4)] : [null, null, null, null, null];
      });
    }),
  ]);
  return toCsv(header, rows);
}

export function formatStudy(t: StudyTableInput, format: ExportFormat): string {
  return format === 'csv' ? studyCsv(t) : format === 'latex' ? studyLatex(t) : studyMarkdown(t);
}
