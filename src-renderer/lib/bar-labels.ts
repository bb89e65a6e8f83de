// Counts written above the bars of a class histogram, so a tail class of 5 images reads as 5
// and not as "no bar" (most visible on a linear axis, where such bars are a pixel high). A count
// is written only where it fits the bar's width, so 1,000 classes do not become a smear of text.
import type { Plugin } from 'chart.js';

/** Whether a count label of `textWidth` px goes over a bar `barWidth` px wide. */
export function labelFits(barWidth: number, textWidth: number): boolean {
  return textWidth + 2 <= barWidth + 6;
}

export function barCountLabels(colour: () => string): Plugin {
  return {
    id: 'barCountLabels',
    afterDatasetsDraw(chart) {
      const meta = chart.getDatasetMeta(0);
      const data = chart.data.datasets[0]?.data ?? [];
      const ctx = chart.ctx;
      ctx.save();
      ctx.font = '10px system-ui, sans-serif';
      ctx.fillStyle = colour();
      ctx.textAlign = 'center';
      ctx.textBaseline = 'bottom';
      meta.data.forEach((bar, i) => {
        const v = data[i];
        if (typeof v !== 'number') return;
        const text = v.toLocaleString('en-US');
        const { width } = bar.getProps(['width'], true);
        if (!labelFits(width, ctx.measureText(text).width)) return;
        ctx.fillText(text, bar.x, bar.y - 2);
      });
      ctx.restore();
    },
  };
}
