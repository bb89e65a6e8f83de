// "Show only differences" between run configurations, as in MLflow's and W&B's run comparers.

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** Nested objects become dotted keys ("params.tau"); arrays are one value, shown as "60, 80". */
export function flatten(obj: object, prefix = ''): Record<string, string> {
  return Object.fromEntries(Object.entries(flattenValues(obj, prefix)).map(([k, v]) => [k, show(v)]));
}

/** The same keys with the values as they are (null stays null, numbers stay numbers; arrays joined "60, 80"), for exports. */
export function flattenValues(obj: object, prefix = ''): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flattenValues(v, key));
    else if (Array.isArray(v)) out[key] = v.map((x) => show(x as Json)).join(', ');
    else if (v === undefined) continue;
    else out[key] = v as string | number | boolean | null;
  }
  return out;
}

function show(v: Json | undefined): string {
  if (v === undefined) return '';
  // null in a config means "not set, the default applies" (no teacher, threads = all cores): a dash,
  // as the tables show any empty value, not the JSON word
  if (v === null) return '—';
  if (Array.isArray(v)) return v.map((x) => show(x)).join(', ');
  return String(v);
}

export interface DiffRow {
  key: string;
  /** one value per config, '' where a config lacks the key */
  values: string[];
  differs: boolean;
}

/** Rows for the union of keys, sorted; `differs` when not every config has the same value. */
export function diffConfigs(configs: readonly Record<string, unknown>[]): DiffRow[] {
  const flat = configs.map((c) => flatten(c));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  return keys.map((key) => {
    const values = flat.map((f) => f[key] ?? '');
    return { key, values, differs: values.some((v) => v !== values[0]) };
  });
}
