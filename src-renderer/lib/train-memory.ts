// The Train form remembers its last settings per dataset (in the browser's localStorage), so a new
// run starts from what was used on that dataset, not from defaults. What is read back is checked
// field by field against a fresh form: a field of the wrong type (an older build, an edited store)
// keeps the fresh value, so a stored form can never break the screen. The run name is not kept
// (names are unique), nor the teacher (preselected afresh for the split).
import { METHODS } from '../../src-main/core/domain/method';
import { BACKENDS, MODELS, WARMUP_FORMS } from '../../src-main/core/domain/run-config';
import { presetFor, type TrainForm } from './train-form';

export const MEMORY_KEY = 'dive-train-form';

/** localStorage, or a map in the tests. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const oneOf = <T extends string>(list: readonly T[], v: unknown): v is T => typeof v === 'string' && (list as readonly string[]).includes(v);
const record = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** `raw` (anything: what localStorage held) read onto `base`, field by field. */
export function restoreForm(raw: unknown, base: TrainForm): TrainForm {
  const r = record(raw);
  const f: TrainForm = { ...base, params: { ...base.params } };
  if (oneOf(METHODS, r.method)) {
    f.method = r.method;
    f.params = presetFor(r.method);
  }
  if (oneOf(MODELS, r.model)) f.model = r.model;
  for (const k of ['epochs', 'momentum', 'weightDecay', 'valFraction', 'gamma', 'seed'] as const) if (isNum(r[k])) f[k] = r[k];
  for (const k of ['batchSize', 'lr'] as const) if (isNum(r[k]) || r[k] === null || r[k] === undefined) f[k] = isNum(r[k]) ? r[k] : undefined;
  for (const k of ['warmupEpochs', 'evalEvery', 'milestones'] as const) if (isStr(r[k])) f[k] = r[k];
  if (oneOf(WARMUP_FORMS, r.warmupForm)) f.warmupForm = r.warmupForm;
  if (typeof r.crop === 'boolean') f.crop = r.crop;
  if (typeof r.flip === 'boolean') f.flip = r.flip;
  if (r.backend === '' || oneOf(BACKENDS, r.backend)) f.backend = r.backend;
  const params = record(r.params);
  for (const k of Object.keys(f.params) as (keyof TrainForm['params'])[]) if (isNum(params[k])) f.params[k] = params[k];
  return f;
}

/** What is kept of a form: all but its name and teacher. */
export function formToKeep(f: TrainForm): Omit<TrainForm, 'name' | 'teacher'> {
  const { name: _n, teacher: _t, ...keep } = f;
  return keep;
}

function readAll(storage: Pick<KeyValueStore, 'getItem'>): Record<string, unknown> {
  try {
    return record(JSON.parse(storage.getItem(MEMORY_KEY) ?? '{}'));
  } catch {
    return {};
  }
}

/** The form last used on `dataset` (its split if it is still there), or null when none was kept. */
export function recall(storage: Pick<KeyValueStore, 'getItem'>, dataset: string, base: TrainForm): TrainForm | null {
  const kept = readAll(storage)[dataset];
  return kept === undefined ? null : restoreForm(kept, base);
}

export function remember(storage: KeyValueStore, dataset: string, f: TrainForm): void {
  const all = readAll(storage);
  all[dataset] = formToKeep(f);
  try {
    storage.setItem(MEMORY_KEY, JSON.stringify(all));
  } catch {
    // storage full or disabled: the form still works, it only forgets
  }
}

/** The split last used on `dataset`, if any was kept. */
export function keptSplit(storage: Pick<KeyValueStore, 'getItem'>, dataset: string): string | null {
  const split = record(readAll(storage)[dataset]).split;
  return typeof split === 'string' ? split : null;
}
