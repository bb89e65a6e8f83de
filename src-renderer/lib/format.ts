// Number and time formatting shared by every screen: one place so tables, charts and exports agree.

/** A fraction in [0, 1] as a percentage with `digits` decimals; null or NaN as an em dash. */
export function pct(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return `${(x * 100).toFixed(digits)}%`;
}

/** Whole numbers with thousands separators (locale independent, so tests and exports are stable). */
export function int(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const s = Math.round(Math.abs(n)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${s}` : s;
}

/** A real number with at most `digits` significant decimals, trailing zeros dropped. */
export function num(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return String(Number(x.toFixed(digits)));
}

/** Seconds as "45s", "3m 05s" or "1h 02m". */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** Images per second, rounded for display. */
export function rate(ips: number | null | undefined): string {
  if (ips === null || ips === undefined || !Number.isFinite(ips)) return '—';
  return ips >= 100 ? `${int(ips)} img/s` : `${num(ips, 1)} img/s`;
}

/** ISO timestamps as "2026-11-27 04:53" (the store's UTC, marked as such). */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const m = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d)/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : iso;
}
