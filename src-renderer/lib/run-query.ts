// The runs search's conditions: "lr<0.1 tau=3 top1>50 few>=0.3 dive" is config and metric
// conditions beside words. Operators = != < <= > >=. Accuracies (top1, many, medium, few) may be
// typed as the table shows them, in percent ("top1>50", "top1>50%"), or as fractions of 1
// ("top1>0.5"): a value with % is percent, one without is a fraction when at most 1 and percent
// above (so "few>=1" means 100%). Every condition is echoed back as read ("top-1 > 50%"), and a
// key no run field answers to is named with the keys that are, rather than matching nothing.
import type { RunSummary } from '../../src-main/core/domain/types';

export type Op = '=' | '!=' | '<' | '<=' | '>' | '>=';

export interface ConfigCondition {
  key: string;
  op: Op;
  value: string;
}

/** accuracy keys, compared as fractions of 1; ece is a plain number */
export const METRIC_KEYS = ['top1', 'many', 'medium', 'few'] as const;
const METRIC_LABEL: Record<string, string> = { top1: 'top-1', many: 'many', medium: 'medium', few: 'few' };

/** The keys a condition may name (a dotted path's last part also answers: "tau" for "params.tau"). */
export const CONDITION_KEYS = [
  ...METRIC_KEYS, 'ece', 'method', 'model', 'split', 'dataset', 'backend', 'status', 'study', 'teacher',
  'seed', 'epochs', 'lr', 'batchSize', 'batch', 'params.tau', 'params.power', 'params.alpha',
] as const;

/** "lr<0.1 tau=3 resnet" -> conditions on the config (lr < 0.1, tau = 3) and the words left (resnet). */
export function parseQuery(text: string): { conditions: ConfigCondition[]; words: string[] } {
  const conditions: ConfigCondition[] = [];
  const words: string[] = [];
  for (const token of text.trim().split(/\s+/).filter(Boolean)) {
    const m = /^([\w.]+)(!=|<=|>=|=|<|>)(.+)$/.exec(token);
    if (m) conditions.push({ key: m[1].toLowerCase(), op: m[2] as Op, value: m[3] });
    else words.push(token.toLowerCase());
  }
  return { conditions, words };
}

/** The fields a condition can name: the listing's columns (no config is listed, so 10,000 runs list fast). */
function conditionFields(run: RunSummary): Record<string, string | number | null> {
  const { lr, batchSize, tau, power, alpha } = run.hyper;
  return {
    top1: run.metrics?.top1 ?? null, many: run.metrics?.many ?? null, medium: run.metrics?.medium ?? null, few: run.metrics?.few ?? null, ece: run.metrics?.ece ?? null,
    method: run.method, model: run.model, split: run.split, dataset: run.dataset, backend: run.backend, status: run.status, study: run.study, teacher: run.teacher,
    seed: run.seed, epochs: run.epochsTotal, lr, batchSize, batch: batchSize,
    'params.tau': tau, 'params.power': power, 'params.alpha': alpha,
  };
}

const answers = (field: string, key: string) => {
  const low = field.toLowerCase();
  return low === key || low.endsWith(`.${key}`);
};

export const isKnownKey = (key: string): boolean => CONDITION_KEYS.some((k) => answers(k, key));

const isMetric = (key: string) => (METRIC_KEYS as readonly string[]).includes(key);

/** An accuracy condition's value as a fraction of 1 ("50%" and "50" -> 0.5, "0.5" -> 0.5); null when not a number. */
export function accuracyValue(text: string): number | null {
  const pctSign = text.endsWith('%');
  const n = Number(pctSign ? text.slice(0, -1) : text);
  if (text.trim() === '' || !Number.isFinite(n)) return null;
  return pctSign || n > 1 ? n / 100 : n;
}

function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '=': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
  }
}

/** Whether the run meets a condition; a run without the value (no metrics yet, no study) never does, except for !=. */
export function meets(run: RunSummary, c: ConfigCondition): boolean {
  const fields = Object.entries(conditionFields(run)).filter(([k]) => answers(k, c.key));
  if (isMetric(c.key)) {
    const want = accuracyValue(c.value);
    const v = fields[0]?.[1];
    // compared at 1e-9 so that "top1=77.86" finds 0.7786 despite binary fractions
    return want !== null && typeof v === 'number' && compare(Math.round(v * 1e9), c.op, Math.round(want * 1e9));
  }
  const present = fields.flatMap(([, v]) => (v == null ? [] : [String(v)]));
  if (c.op === '!=') return present.every((v) => v.toLowerCase() !== c.value.toLowerCase() && !(Number(v) === Number(c.value) && Number.isFinite(Number(v))));
  return present.some((v) => {
    const a = Number(v);
    const b = Number(c.value);
    const numeric = v.trim() !== '' && Number.isFinite(a) && Number.isFinite(b);
    if (c.op === '=') return numeric ? a === b : v.toLowerCase() === c.value.toLowerCase();
    return numeric && compare(a, c.op, b);
  });
}

const OP_SHOWN: Record<Op, string> = { '=': '=', '!=': '≠', '<': '<', '<=': '≤', '>': '>', '>=': '≥' };

/** How the search read each condition ("top-1 > 50%"), and what it could not read (unknown keys, non-numbers). */
export function explainQuery(text: string): { read: string[]; problems: string[] } {
  const read: string[] = [];
  const problems: string[] = [];
  for (const c of parseQuery(text).conditions) {
    if (!isKnownKey(c.key)) {
      problems.push(`unknown key "${c.key}": use ${METRIC_KEYS.join(', ')} (accuracy, % or fraction), ece, lr, seed, epochs, batch, tau, power, alpha, method, model, split, study, status, backend`);
      continue;
    }
    if (isMetric(c.key)) {
      const v = accuracyValue(c.value);
      if (v === null) problems.push(`${c.key}${c.op}${c.value}: ${c.key} takes a number, in % (50 or 50%) or as a fraction (0.5)`);
      else read.push(`${METRIC_LABEL[c.key]} ${OP_SHOWN[c.op]} ${Number((v * 100).toFixed(4))}%`);
    } else if (c.op !== '=' && c.op !== '!=' && !Number.isFinite(Number(c.value))) {
      problems.push(`${c.key}${c.op}${c.value}: ${c.op} compares numbers`);
    } else read.push(`${c.key} ${OP_SHOWN[c.op]} ${c.value}`);
  }
  return { read, problems };
}
