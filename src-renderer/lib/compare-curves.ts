// Compare's curve datasets for Chart.js: one line per run, or per group a mean line with its band
// (the lower edge, then the upper edge filled down to it), drawn only through logged values
// (lib/curves.ts: straight segments, the learning rate stepped, accuracies in %).
import type { RunInfo } from '../../src-main/core/domain/types';
import type { CurveMetric, Point } from './compare';
import { displayCurve, drawnAsLogged } from './curves';
import { BAND_LABEL, groupBand, type BandKind, type RunGroup } from './grouping';
import { alpha } from './palette';

export interface CurveDataset {
  label: string;
  data: Point[];
  borderColor: string;
  backgroundColor: string;
  borderWidth: number;
  pointRadius: number;
  tension: 0;
  cubicInterpolationMode: 'default';
  stepped: false | 'after';
  /** a band's upper edge fills down to the dataset before it (its lower edge) */
  fill?: '-1' | false;
  /** band edges are left out of the legend and the tooltip */
  band?: 'lo' | 'hi';
}

const points = (n: number) => (n > 40 ? 0 : 3);

/** One line per run. */
export function runDatasets(runs: readonly RunInfo[], m: CurveMetric, colour: (i: number) => string): CurveDataset[] {
  return runs.map((r, i) => {
    const data = displayCurve(r, m);
    return { label: r.name, data, borderColor: colour(i), backgroundColor: colour(i), borderWidth: 2, pointRadius: points(data.length), ...drawnAsLogged(m) };
  });
}

/** Per group: the band's lower and upper edges (filled between), then the mean of its runs. */
export function groupDatasets(groups: readonly RunGroup<RunInfo>[], m: CurveMetric, kind: BandKind, colour: (i: number) => string): CurveDataset[] {
  return groups.flatMap((g, i) => {
    const band = groupBand(g.runs.map((r) => displayCurve(r, m)), kind);
    const c = colour(i);
    const edge = (which: 'lo' | 'hi'): CurveDataset => ({
      label: `${g.value} ${BAND_LABEL[kind]} (${which === 'lo' ? 'low' : 'high'})`,
      data: band.map((p) => ({ x: p.x, y: p[which] })),
      borderColor: alpha(c, 0.35),
      backgroundColor: alpha(c, 0.16),
      borderWidth: 1,
      pointRadius: 0,
      ...drawnAsLogged(m),
      fill: which === 'hi' ? '-1' : false,
      band: which,
    });
    const mean: CurveDataset = {
      label: `${g.value} (mean of ${g.runs.length})`,
      data: band.map((p) => ({ x: p.x, y: p.mean })),
      borderColor: c,
      backgroundColor: c,
      borderWidth: 2,
      pointRadius: points(band.length),
      ...drawnAsLogged(m),
      fill: false,
    };
    return g.runs.length > 1 ? [edge('lo'), edge('hi'), mean] : [mean];
  });
}
