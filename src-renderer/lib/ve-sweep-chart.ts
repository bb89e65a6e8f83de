// The temperature sweep as a chart: few/many of the virtual examples and the targets' normalised
// entropy against T, with the flatness rule's threshold, so a user sees where V becomes flat and
// how uniform the targets are by then.
import type { ChartConfiguration } from 'chart.js';
import { FLAT_FEW_OVER_MANY, type VeSweep } from '../../src-main/core/domain/types';
import { alpha, seriesColour } from './palette';

/** Points of one sweep series, leaving out T values where the readout is undefined. */
export function sweepSeries(s: VeSweep, pick: 'fewOverMany' | 'entropy'): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  for (const p of s.sweep) {
    const y = p[pick];
    if (y != null) out.push({ x: p.tau, y });
  }
  return out;
}

export function sweepChart(s: VeSweep): ChartConfiguration {
  const taus = s.sweep.map((p) => p.tau);
  const line = (label: string, data: { x: number; y: number }[], colour: string, dash?: number[]) => ({
    label, data, borderColor: colour, backgroundColor: colour, borderDash: dash, pointRadius: dash ? 0 : 3, borderWidth: 2, tension: 0,
  });
  return {
    type: 'line',
    data: {
      datasets: [
        line('few / many of V', sweepSeries(s, 'fewOverMany'), seriesColour(0)),
        line('target entropy (share of uniform)', sweepSeries(s, 'entropy'), seriesColour(2)),
        line(`flat: few / many = ${FLAT_FEW_OVER_MANY}`, [{ x: Math.min(...taus), y: FLAT_FEW_OVER_MANY }, { x: Math.max(...taus), y: FLAT_FEW_OVER_MANY }], alpha('#8b90a0', 0.9), [6, 4]),
      ],
    },
    options: {
      parsing: false,
      scales: {
        x: { type: 'logarithmic', title: { display: true, text: `T (p = ${s.power})` } },
        y: { type: 'linear', min: 0, suggestedMax: 1.2, title: { display: true, text: 'ratio / share' } },
      },
    },
  };
}
