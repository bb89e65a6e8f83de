// Keyboard shortcuts for the common moves, as in most research dashboards: 1-9 open the screens
// in sidebar order, "/" focuses the page's search box, "n" starts a new run. Keys typed into a
// field, or with a modifier, are left alone.
import type { Screen } from './route';

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  target: EventTarget | null;
}

function typing(t: EventTarget | null): boolean {
  if (!t || typeof t !== 'object') return false;
  const tag = 'tagName' in t && typeof t.tagName === 'string' ? t.tagName.toUpperCase() : '';
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || ('isContentEditable' in t && t.isContentEditable === true);
}

/** What a key press asks for: a screen, 'search', or null for a key that is not a shortcut. */
export function shortcut(e: KeyLike, screens: readonly Screen[]): Screen | 'search' | null {
  if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return null;
  if (e.key === '/') return 'search';
  if (e.key === 'n') return 'train';
  const i = Number(e.key);
  if (Number.isInteger(i) && i >= 1 && i <= screens.length) return screens[i - 1];
  return null;
}

export const SHORTCUT_HELP = '1–8: screens · n: new run · /: search';
