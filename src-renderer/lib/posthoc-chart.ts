// A post-hoc run's sweep of t (tau-norm, logit-adjust) as a chart: top-1 and many / medium / few
// on the test set against t, the validation holdout's balanced accuracy dashed where the stage-1
// run had one, and this run's t marked. Pure chart.js data.
import type { ChartConfiguration } from 'chart.js';
import type { PosthocSweep } from '../../src-main/core/domain/posthoc';
import { GROUP_COLOUR } from './groups';
import { seriesColour } from './palette';

type Key = 'top1' | 'many' | 'medium' | 'few' | 'val';

/** Points of one metric over t, leaving out t where it is undefined (an empty group, no holdout). */
export function posthocSeries(s: PosthocSweep, key: Key): { x: number; y: number }[] {
  return s.points.flatMap((p) => (p[key] === null ? [] : [{ x: p.t, y: (p[key] as number) * 100 }]));
}

export function posthocChart(s: PosthocSweep, dark: boolean): ChartConfiguration {
  const g = GROUP_COLOUR[dark ? 'dark' : 'light'];
  const line = (label: string, key: Key, colour: string, dash?: number[]) => ({ label, data: posthocSeries(s, key), borderColor: colour, backgroundColor: colour, borderDash: dash, pointRadius: 2, borderWidth: 2, tension: 0 });
  const chosen = s.points.find((p) => p.t === s.chosen);
  return {
    type: 'line',
    data: {
      datasets: [
        line('top-1 (test)', 'top1', seriesColour(0)),
        // a shot group without classes (ImageNet-LT-like splits have no many-shot class) has no line, so no legend entry
        ...(['many', 'medium', 'few'] as const).flatMap((k) => (s.points.some((p) => p[k] !== null) ? [line(k, k, g[k])] : [])),
        ...(s.points.some((p) => p.val !== null) ? [line('validation (balanced)', 'val', seriesColour(4), [6, 4])] : []),
        ...(chosen ? [{ label: `this run: t = ${s.chosen}`, data: [{ x: s.chosen, y: chosen.top1 * 100 }], borderColor: seriesColour(0), backgroundColor: seriesColour(0), pointRadius: 7, pointStyle: 'star', showLine: false }] : []),
      ],
    },
    options: {
      parsing: false,
      scales: {
        x: { type: 'linear', min: 0, title: { display: true, text: s.method === 'tau-norm' ? 'τ (class weight divided by its norm^τ)' : 'τ (logits − τ log π)' } },
        y: { min: 0, max: 100, title: { display: true, text: 'accuracy (%)' } },
      },
    },
  };
}
