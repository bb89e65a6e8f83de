// A study table you can put in a paper (issue 22, item 4): the Holm adjustment pinned to hand-computed
// numbers, the warnings a reader needs, and the CSV, LaTeX and Markdown tables pinned to hand-made ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { holm } from '../../src-main/core/eval/holm';
import { studyWarnings } from '../../src-main/core/eval/study-warnings';
import { formatStudy, latexEscape, pText, type StudyTableInput } from '../../src-main/core/domain/study-export';
import type { Comparison, PairedDifference, Spread, SummaryRow } from '../../src-main/core/domain/study-types';

test('Holm: sorted p times (m - rank), made monotone, capped at 1; missing p-values are not counted', () => {
  // m = 4: 0.005 x 4 = 0.02; 0.01 x 3 = 0.03; 0.03 x 2 = 0.06; 0.04 x 1 = 0.04 -> max(0.06, 0.04) = 0.06
  const got = holm([0.01, 0.04, 0.03, null, 0.005]);
  assert.deepEqual(got.map((p) => (p == null ? null : Math.round(p * 1e12) / 1e12)), [0.03, 0.06, 0.06, null, 0.02]);
  assert.deepEqual(holm([0.5, 0.6]), [1, 1]);
  assert.deepEqual(holm([0.2]), [0.2], 'one comparison: nothing to adjust');
  assert.deepEqual(holm([]), []);
});

const sp = (mean: number | null, std: number | null, n = 3): Spread => ({ n, mean, std });
const metrics = (top1: Spread, many: Spread, medium: Spread, few: Spread) => ({ top1, many, medium, few, ece: sp(0.02, 0.001) });
const row = (group: string, role: 'teacher' | 'student', completed: number, m: SummaryRow['metrics']): SummaryRow => ({ group, role, method: group.split(' ').pop()!, params: {}, runs: 3, completed, seeds: [1, 2, 3].slice(0, completed), metrics: m });
const diff = (mean: number, lo: number | null, hi: number | null, p: number | null, pHolm: number | null): PairedDifference => ({ n: 3, mean, std: 0.01, lo, hi, p, pHolm, method: 'paired-t' });
const cmp = (group: string, baseline: string, top1: PairedDifference): Comparison => ({ group, baseline, seeds: [1, 2, 3], diff: { top1, many: diff(0.01, -0.02, 0.04, 0.3, 0.6), medium: diff(-0.005, -0.03, 0.02, 0.5, 0.5), few: diff(0.02, 0.001, 0.039, 0.045, 0.09) } });

const STUDY: StudyTableInput = {
  name: 'lt_100',
  split: 'fm-lt100',
  summary: [
    row('teacher bsce', 'teacher', 3, metrics(sp(0.7741, 0.0054), sp(0.8374, 0.0223), sp(0.5891, 0.008), sp(0.8747, 0.0098))),
    row('ce', 'student', 3, metrics(sp(0.7355, 0.0209), sp(0.8992, 0.0053), sp(0.4863, 0.0525), sp(0.7664, 0.0239))),
    row('bsce', 'student', 3, metrics(sp(0.772, 0.0037), sp(0.8406, 0.0265), sp(0.5818, 0.0251), sp(0.8708, 0.0096))),
    row('dive', 'student', 3, metrics(sp(0.7786, 0.0031), sp(0.8478, 0.0017), sp(0.5746, 0.0149), sp(null, null, 0))),
  ],
  comparisons: [
    cmp('bsce', 'ce', diff(0.0365, -0.0101, 0.0831, 0.0798, 0.1596)),
    cmp('dive', 'ce', diff(0.0431, -0.0054, 0.0916, 0.0601, 0.1596)),
    cmp('dive', 'bsce', diff(0.0066, -0.0101, 0.0233, 0.2312, 0.2312)),
  ],
  warnings: ['n < 3: something to know'],
};

test('Markdown: methods as rows, mean ± std, Δ top-1 with its interval and Holm p per baseline, the caption and the warnings', () => {
  assert.equal(formatStudy(STUDY, 'markdown'), [
    '| Method | n | Top-1 | Many | Medium | Few | Δ top-1 vs ce | p | Δ top-1 vs bsce | p |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    '| teacher bsce | 3 | 77.41 ± 0.54 | 83.74 ± 2.23 | 58.91 ± 0.80 | 87.47 ± 0.98 |  |  |  |  |',
    '| ce | 3 | 73.55 ± 2.09 | 89.92 ± 0.53 | 48.63 ± 5.25 | 76.64 ± 2.39 |  |  |  |  |',
    '| bsce | 3 | 77.20 ± 0.37 | 84.06 ± 2.65 | 58.18 ± 2.51 | 87.08 ± 0.96 | +3.65 [−1.01, +8.31] | 0.16 |  |  |',
    '| dive | 3 | 77.86 ± 0.31 | 84.78 ± 0.17 | 57.46 ± 1.49 | – | +4.31 [−0.54, +9.16] | 0.16 | +0.66 [−1.01, +2.33] | 0.23 |',
    '',
    'Study lt_100 on split fm-lt100: top-1 and many / medium / few-shot accuracy (%), mean ± std over 3 seeds. Δ: paired difference in top-1 (points) against each baseline, mean [95% paired t interval] over the seeds both share; p: two-sided paired t test, Holm-adjusted across the 3 comparisons.',
    '',
    '> Warning: n < 3: something to know',
    '',
  ].join('\n'));
});

test('LaTeX: booktabs, numbers in math mode, names escaped, warnings as comments', () => {
  assert.equal(formatStudy(STUDY, 'latex'), [
    '% warning: n < 3: something to know',
    '\\begin{table}[t]',
    '\\centering',
    '\\caption{Study lt\\_100 on split fm-lt100: top-1 and many / medium / few-shot accuracy (\\%), mean $\\pm$ std over 3 seeds. $\\Delta$: paired difference in top-1 (points) against each baseline, mean [95\\% paired t interval] over the seeds both share; p: two-sided paired t test, Holm-adjusted across the 3 comparisons.}',
    '\\label{tab:lt_100}',
    '\\begin{tabular}{lrrrrrrrrr}',
    '\\toprule',
    'Method & $n$ & Top-1 & Many & Medium & Few & $\\Delta$ top-1 vs ce & $p$ & $\\Delta$ top-1 vs bsce & $p$ \\\\',
    '\\midrule',
    'teacher bsce & 3 & 77.41 $\\pm$ 0.54 & 83.74 $\\pm$ 2.23 & 58.91 $\\pm$ 0.80 & 87.47 $\\pm$ 0.98 &  &  &  &  \\\\',
    'ce & 3 & 73.55 $\\pm$ 2.09 & 89.92 $\\pm$ 0.53 & 48.63 $\\pm$ 5.25 & 76.64 $\\pm$ 2.39 &  &  &  &  \\\\',
    'bsce & 3 & 77.20 $\\pm$ 0.37 & 84.06 $\\pm$ 2.65 & 58.18 $\\pm$ 2.51 & 87.08 $\\pm$ 0.96 & $+3.65$ [$-1.01$, $+8.31$] & 0.16 &  &  \\\\',
    'dive & 3 & 77.86 $\\pm$ 0.31 & 84.78 $\\pm$ 0.17 & 57.46 $\\pm$ 1.49 & -- & $+4.31$ [$-0.54$, $+9.16$] & 0.16 & $+0.66$ [$-1.01$, $+2.33$] & 0.23 \\\\',
    '\\bottomrule',
    '\\end{tabular}',
    '\\end{table}',
    '',
  ].join('\n'));
  assert.equal(latexEscape('a_b & 50% #1 {x} ~ ^ \\'), 'a\\_b \\& 50\\% \\#1 \\{x\\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{}');
});

test('CSV: one row per group, every figure a number (points, p raw and Holm), empty where there is none', () => {
  const lines = formatStudy(STUDY, 'csv').split('\r\n');
  const header = lines[0].split(',');
  assert.deepEqual(header.slice(0, 14), ['group', 'role', 'method', 'n', 'top1_mean', 'top1_std', 'many_mean', 'many_std', 'medium_mean', 'medium_std', 'few_mean', 'few_std', 'ece_mean', 'ece_std']);
  assert.deepEqual(header.slice(14, 19), ['top1_diff_vs_ce', 'top1_lo_vs_ce', 'top1_hi_vs_ce', 'top1_p_vs_ce', 'top1_p_holm_vs_ce']);
  assert.equal(header.length, 14 + 2 * 4 * 5);
  assert.equal(lines[1], 'teacher bsce,teacher,bsce,3,77.41,0.54,83.74,2.23,58.91,0.8,87.47,0.98,0.02,0.001' + ','.repeat(40));
  const dive = lines[4].split(',');
  assert.deepEqual(dive.slice(0, 14), ['dive', 'student', 'dive', '3', '77.86', '0.31', '84.78', '0.17', '57.46', '1.49', '', '', '0.02', '0.001']);
  assert.deepEqual(dive.slice(14, 19), ['4.31', '-0.54', '9.16', '0.0601', '0.1596']);
  assert.deepEqual(dive.slice(34, 39), ['0.66', '-1.01', '2.33', '0.2312', '0.2312']);
  assert.equal(lines.length, 6, 'four rows, the header, and the final line end');
});

test('p-values as papers write them', () => {
  assert.deepEqual([pText(0.2312), pText(0.0081), pText(0.0004), pText(null)], ['0.23', '0.008', '< 0.001', '–']);
});

test('warnings: fewer than 3 paired seeds (with the t factor), runs not completed, runs with warnings', () => {
  const two: Comparison = { ...cmp('dive', 'bsce', diff(0.01, -0.1, 0.12, 0.8, 0.8)), seeds: [1, 2] };
  const summary = [row('bsce', 'student', 2, STUDY.summary[2].metrics), row('dive', 'student', 3, STUDY.summary[3].metrics)];
  assert.deepEqual(studyWarnings(summary, [two], [{ name: 'dive-s1', warnings: ['teacher "t" ended at chance level'] }, { name: 'ok', warnings: [] }]), [
    'n < 3: dive - bsce pairs 2 seeds: a 95% interval from 2 seeds is ±12.7 standard errors wide; run 3 or more seeds (5 is better) before reading a difference',
    'not complete: bsce 2 of 3 runs; the figures use the completed runs only',
    '1 run carries a warning: dive-s1 (teacher "t" ended at chance level)',
  ]);
  assert.deepEqual(studyWarnings([row('bsce', 'student', 3, STUDY.summary[2].metrics)], []), []);
  assert.deepEqual(studyWarnings([{ ...row('bsce', 'student', 2, STUDY.summary[2].metrics), runs: 2 }], []), ['n < 3: bsce has 2 completed seeds; its mean ± std is not yet a spread']);
});
