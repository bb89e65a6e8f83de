// The shot group of a class from its training count: the one rule the core's statistics and the
// renderer's colours both use (the literature's convention, Liu et al. 2019, Kang et al. 2020:
// many > 100, few < 20 with the default thresholds).
import type { ShotGroup, ShotThresholds } from './types';

export function shotGroup(count: number, t: ShotThresholds): ShotGroup {
  if (count > t.many) return 'many';
  if (count < t.few) return 'few';
  return 'medium';
}
