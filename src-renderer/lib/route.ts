// Addresses that stay: every screen, run, study and comparison has its own hash address, so a
// reload, Back / Forward and a copied link land on the same place. Pure parse / format, so the
// round trip is unit-tested; app.svelte.ts applies a route to the app's state.
//
// Forms: #/datasets[/NAME]  #/splits[/NAME]  #/train  #/runs  #/runs/NAME  #/queue
//        #/studies  #/studies/NAME  #/compare?runs=A,B,C[&group=method|study|config.KEY[&band=std]]  #/trash
// An address from before the session cookie may carry the token in its hash (`#token=T`, or
// `#/runs/x?token=T` / `&token=T` for a deep link opened cold); `stripToken` takes it out.

export const SCREENS = ['datasets', 'splits', 'train', 'runs', 'queue', 'studies', 'compare', 'trash'] as const;
export type Screen = (typeof SCREENS)[number];

export interface Route {
  screen: Screen;
  /** the dataset, split, run or study the address names; '' for the screen itself */
  name: string;
  /** runs of a comparison, in order */
  runs: string[];
  /** a comparison's grouping ('method', 'study', 'config.KEY') and band ('std'; min–max when absent) */
  group?: string;
  band?: 'std';
}

export const HOME: Route = { screen: 'datasets', name: '', runs: [] };

const enc = (s: string) => encodeURIComponent(s).replace(/%2C/gi, ',');
const dec = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** The route a hash names; an unknown or empty hash is the home screen. */
export function parseRoute(hash: string): Route {
  const body = hash.replace(/^#/, '');
  const [path, query = ''] = body.split('?', 2);
  const parts = path.split('/').filter(Boolean);
  const screen = SCREENS.find((s) => s === parts[0]);
  if (!screen) return { ...HOME };
  const name = screen === 'compare' ? '' : dec(parts.slice(1).join('/'));
  const params = new URLSearchParams(query);
  const runs = screen === 'compare' ? (params.get('runs') ?? '').split(',').map((s) => s.trim()).filter(Boolean) : [];
  const out: Route = { screen, name, runs };
  const group = screen === 'compare' ? params.get('group') : null;
  if (group) out.group = group;
  if (group && params.get('band') === 'std') out.band = 'std';
  return out;
}

/** The hash of a route ("#/runs/teacher", "#/compare?runs=a,b"). */
export function formatRoute(r: Route): string {
  if (r.screen === 'compare') {
    const q = [r.runs.length ? `runs=${r.runs.map(enc).join(',')}` : '', r.group ? `group=${encodeURIComponent(r.group)}` : '', r.group && r.band ? `band=${r.band}` : ''].filter(Boolean);
    return q.length ? `#/compare?${q.join('&')}` : '#/compare';
  }
  return r.name ? `#/${r.screen}/${enc(r.name)}` : `#/${r.screen}`;
}

/** The hash without its token, and the token ('' when none). */
export function stripToken(hash: string): { hash: string; token: string } {
  const m = /(^#|[?&])token=([^&]*)/.exec(hash);
  if (!m) return { hash, token: '' };
  const before = hash.slice(0, m.index);
  const after = hash.slice(m.index + m[0].length).replace(/^&/, '');
  // "#token=t&/runs/x" -> "#/runs/x"; "#/x?token=t&a=b" -> "#/x?a=b"; "#/x?a=b&token=t" -> "#/x?a=b"
  const joiner = m[1] === '&' ? '&' : m[1];
  const out = after ? before + joiner + after : before;
  return { hash: out === '#' ? '' : out, token: dec(m[2]) };
}
