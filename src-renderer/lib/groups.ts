// Shot groups (many / medium / few) as the renderer shows them: colours and per-class labels.
import type { ShotGroup, ShotThresholds } from '../../src-main/core/domain/types';
import { shotGroup } from '../../src-main/core/domain/shot-groups';

export const GROUPS: readonly ShotGroup[] = ['many', 'medium', 'few'];

export const GROUP_LABEL: Record<ShotGroup, string> = { many: 'Many-shot', medium: 'Medium-shot', few: 'Few-shot' };

/** The core's own rule (domain/shot-groups.ts): > many is many-shot, < few is few-shot. */
export const groupOf = shotGroup;

/** Colour-blind-safe palette (Okabe–Ito), one shade per theme so bars stay readable on both. */
export const GROUP_COLOUR: Record<'light' | 'dark', Record<ShotGroup, string>> = {
  light: { many: '#0072B2', medium: '#E69F00', few: '#D55E00' },
  dark: { many: '#56B4E9', medium: '#F0C04A', few: '#FF8A50' },
};

/** Size of each group, for the statistics panel. */
export function groupSizes(counts: readonly number[], t: ShotThresholds): Record<ShotGroup, number> {
  const out: Record<ShotGroup, number> = { many: 0, medium: 0, few: 0 };
  for (const n of counts) out[groupOf(n, t)]++;
  return out;
}
