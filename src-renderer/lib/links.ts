// Real links: every run, split, study and dataset name is an <a href> to its hash address, so
// middle-click, Ctrl-click and "copy link" work as on any web page (and, in web mode, a copied
// address opens in a new tab of the same browser: the session cookie authorises it).
import { formatRoute, type Screen } from './route';

/** The address of a screen's named thing ("#/runs/teacher", "#/splits/fm-lt100"). */
export function hrefOf(screen: Exclude<Screen, 'compare'>, name = ''): string {
  return formatRoute({ screen, name, runs: [] });
}

/** The address of a comparison of these runs. */
export function compareHref(runs: readonly string[]): string {
  return formatRoute({ screen: 'compare', name: '', runs: [...runs] });
}
