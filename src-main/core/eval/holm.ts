// Holm's step-down adjustment of p-values for multiple comparisons (Holm 1979): with m p-values in
// ascending order p(1) <= ... <= p(m), the adjusted p(i) is max over j <= i of min(1, (m - j + 1) p(j)).
// It controls the family-wise error rate like Bonferroni and rejects at least as much; papers that
// compare a method against several baselines use it. Null entries (no p-value) are left out of m.

export function holm(ps: readonly (number | null)[]): (number | null)[] {
  const idx = ps.flatMap((p, i) => (p == null || Number.isNaN(p) ? [] : [i])).sort((a, b) => (ps[a] as number) - (ps[b] as number) || a - b);
  const m = idx.length;
  const out: (number | null)[] = ps.map(() => null);
  let running = 0;
  idx.forEach((i, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * (ps[i] as number)));
    out[i] = running;
  });
  return out;
}
