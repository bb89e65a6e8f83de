// A histogram of many classes as a sorted curve: classes ranked by count (head first), one point
// per class, the area under the curve shaded by shot group. A bar per class stops being readable
// at a few hundred classes (iNaturalist has 8,142); the sorted curve is how long-tail papers draw
// them. Pure: the segments are pinned in a unit test, the chart config is chart.js data only.
import type { ChartConfiguration } from 'chart.js';
import type { ShotGroup, ShotThresholds } from '../../src-main/core/domain/types';
import { GROUP_LABEL, groupOf } from './groups';
import { alpha } from './palette';

export interface CurvePoint {
  /** 1-based rank by count, largest first */
  x: number;
  y: number;
  cls: number;
}

export interface CurveSegment {
  group: ShotGroup;
  /** ranks of the group, plus the next group's first rank so the shaded areas meet */
  points: CurvePoint[];
  /** classes in the group */
  classes: number;
}

/** Classes sorted by count (ties by label), split into contiguous runs of one shot group. */
export function curveSegments(counts: readonly number[], t: ShotThresholds): CurveSegment[] {
  const order = counts.map((_, c) => c).sort((a, b) => counts[b] - counts[a] || a - b);
  const points = order.map((cls, i) => ({ x: i + 1, y: counts[cls], cls }));
  const segments: CurveSegment[] = [];
  for (const p of points) {
    const g = groupOf(p.y, t);
    const last = segments[segments.length - 1];
    if (last && last.group === g) {
      last.points.push(p);
      last.classes++;
    } else {
      // the new group's first point closes the previous area
      if (last) last.points.push(p);
      segments.push({ group: g, points: [p], classes: 1 });
    }
  }
  return segments;
}

/** The chart: one filled line per segment in its group's colour, log or linear counts. */
export function countCurveChart(counts: readonly number[], names: readonly string[], t: ShotThresholds, colours: Record<ShotGroup, string>, log: boolean): ChartConfiguration {
  const segments = curveSegments(counts, t);
  return {
    type: 'line',
    data: {
      datasets: segments.map((s) => ({
        label: `${GROUP_LABEL[s.group]} (${s.classes} classes)`,
        data: s.points,
        borderColor: colours[s.group],
        backgroundColor: alpha(colours[s.group], 0.35),
        fill: 'start',
        pointRadius: 0,
        pointHitRadius: 4,
        borderWidth: 1.5,
        tension: 0,
      })),
    },
    options: {
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: { type: 'linear', min: 1, max: Math.max(1, counts.length), title: { display: true, text: `classes ranked by training images (${counts.length.toLocaleString('en-US')})` }, ticks: { precision: 0 } },
        y: log ? { type: 'logarithmic', min: 1, title: { display: true, text: 'training images (log scale)' } } : { beginAtZero: true, title: { display: true, text: 'training images' } },
      },
      plugins: {
        // the card's header names the groups in these colours, and the statistics give their sizes
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items) => {
              const p = items[0]?.raw as CurvePoint | undefined;
              return p ? `${names[p.cls] ?? String(p.cls)} (rank ${p.x})` : '';
            },
            label: (ctx) => `${(ctx.raw as CurvePoint).y} training images`,
          },
        },
      },
    },
  };
}
