// "Run as a study" on the Train screen: the form's shared settings, several methods and a number
// of seeds become createStudy's argument (the study plans its own Balanced-Softmax teachers for
// the distillation methods). Errors are keyed by createStudy's field under `study.` (the Train
// screen's own `name` is the run's), in the form's words.
import type { Args } from '../../src-main/core/domain/contract';
import { METHODS, type Method } from '../../src-main/core/domain/method';
import { toRequest, type TrainForm } from './train-form';

export interface StudyFields {
  name: string;
  methods: Method[];
  seeds: number;
}

export function validateStudy(s: StudyFields): Record<string, string> {
  const e: Record<string, string> = {};
  if (!s.name.trim()) e['study.name'] = 'give the study a name (it prefixes its runs\u2019 names)';
  else if (!/^[\w.-]+$/.test(s.name.trim())) e['study.name'] = 'use letters, digits, ".", "_" or "-"';
  else if (s.name.trim().length > 64) e['study.name'] = 'at most 64 characters';
  if (!s.methods.length) e['study.methods'] = 'tick at least one method';
  if (!Number.isInteger(s.seeds) || s.seeds < 1 || s.seeds > 100) e['study.seeds'] = 'a whole number of seeds from 1 to 100';
  return e;
}

/** createStudy's argument: the form's settings shared by every run; method, seed and each method's parameters come per cell. */
export function toStudyRequest(f: TrainForm, s: StudyFields): Args<'createStudy'> {
  const { method: _m, seed: _s, params: _p, ...shared } = toRequest(f).config;
  return {
    name: s.name.trim(),
    split: f.split,
    // in the core's order (ce before bsce ...), so comparisons read "bsce - ce" however they were ticked
    methods: METHODS.filter((m) => s.methods.includes(m)),
    seeds: s.seeds,
    config: shared,
    teacher: { epochs: f.epochs, model: f.model },
  };
}
