// Which run the Train form offers as a DiVE / KD teacher, and in what order: never by test
// accuracy (choosing on the test set is the leakage the README rules out for epochs). A teacher
// with a validation holdout (--val-fraction) is ranked by its balanced validation accuracy;
// otherwise by its fit to DiVE's recipe: Balanced Softmax on the student's own split, completed,
// no warnings, then the longest schedule, then the newest. The rule used is said beside the list.
//
// Pure and in domain/ so the renderer and the core share it; a new kind of candidate (an imported
// teacher with an `origin`) adds a caveat or a key to `recipeKey` and a test, nothing else.

/** What ranking needs of a run (RunSummary has all of it). */
export interface TeacherCandidate {
  id: number;
  name: string;
  method: string;
  split: string;
  dataset: string;
  status: string;
  /** the run's own teacher: set for a distilled student */
  teacher: string | null;
  warnings: string[];
  epochsTotal: number;
  createdAt: string;
  seed: number;
  /** balanced accuracy on its validation holdout; null without one */
  valAcc: number | null;
}

export type TeacherRule = 'validation' | 'recipe';

export interface TeacherChoice<R extends TeacherCandidate = TeacherCandidate> {
  run: R;
  /** empty for the paper's kind of teacher; else what is off (another split, another method, a student) */
  caveats: string[];
}

export interface TeacherRanking<R extends TeacherCandidate = TeacherCandidate> {
  /** completed Balanced-Softmax runs on the student's split, best first by `rule` */
  recommended: TeacherChoice<R>[];
  /** every other completed run on the split's dataset, fewest caveats first, then by the same keys */
  others: TeacherChoice<R>[];
  rule: TeacherRule;
  /** one sentence a form shows: how the list is ordered, and that the test set plays no part */
  ruleText: string;
  /** the first recommended run without warnings; '' when there is none (the others are picked by hand only) */
  preselected: string;
}

export const TEACHER_RULE_TEXT: Record<TeacherRule, string> = {
  validation:
    'Runs without warnings first, then by balanced accuracy on each teacher\u2019s validation holdout (runs without one follow, by fit to DiVE\u2019s recipe: the longest schedule, then the newest); the test set plays no part.',
  recipe:
    'Ranked by fit to DiVE\u2019s recipe: Balanced Softmax on this split, completed, no warnings, then the longest schedule, then the newest; the test set plays no part. Train teachers with a validation holdout to rank them by validation accuracy.',
};

/** Why a run is not the paper's kind of teacher for a student on `split`. */
export function teacherCaveats(run: TeacherCandidate, split: string): string[] {
  const out: string[] = [];
  if (run.split !== split) out.push(`trained on another split (${run.split})`);
  if (run.teacher) out.push(`a distilled student (of ${run.teacher})`);
  else if (run.method !== 'bsce') out.push(`${run.method}, not Balanced Softmax`);
  return out;
}

/** Sort keys, ascending: no warnings first; with `byValidation`, a holdout and its accuracy next; then longest, newest. */
function recipeKey(r: TeacherCandidate, byValidation: boolean): number[] {
  const created = Date.parse(r.createdAt);
  return [
    r.warnings.length ? 1 : 0,
    ...(byValidation ? [r.valAcc == null ? 1 : 0, -(r.valAcc ?? 0)] : []),
    -r.epochsTotal,
    -(Number.isFinite(created) ? created : 0),
    -r.id,
  ];
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Order of two candidates by the same keys (no warnings, validation accuracy with `byValidation`, longest, newest): never test accuracy. */
export function compareCandidates(a: TeacherCandidate, b: TeacherCandidate, byValidation: boolean): number {
  return compareKeys(recipeKey(a, byValidation), recipeKey(b, byValidation));
}

/** The teacher list for a student on `split` of `dataset`: recommended and others, each ranked, with the rule used. */
export function rankTeachers<R extends TeacherCandidate>(candidates: readonly R[], split: string, dataset: string): TeacherRanking<R> {
  const done = candidates.filter((r) => r.status === 'completed' && r.dataset === dataset).map((run) => ({ run, caveats: teacherCaveats(run, split) }));
  const recommended = done.filter((c) => !c.caveats.length);
  const others = done.filter((c) => c.caveats.length);
  const rule: TeacherRule = recommended.some((c) => c.run.valAcc != null) ? 'validation' : 'recipe';
  const byValidation = rule === 'validation';
  recommended.sort((a, b) => compareKeys(recipeKey(a.run, byValidation), recipeKey(b.run, byValidation)));
  others.sort((a, b) => a.caveats.length - b.caveats.length || compareKeys(recipeKey(a.run, byValidation), recipeKey(b.run, byValidation)));
  return { recommended, others, rule, ruleText: TEACHER_RULE_TEXT[rule], preselected: recommended.find((c) => !c.run.warnings.length)?.run.name ?? '' };
}

/** The seed a student of `teacherSeed` gets by default: the next one, so it starts from other weights and another batch order. */
export function studentSeed(teacherSeed: number): number {
  return teacherSeed + 1;
}

/** The warning a kd / dive student on its teacher's seed earns (the run records it; the form shows it before Start). */
export function sharedSeedWarning(teacher: string, seed: number): string {
  return `the student's seed ${seed} is its teacher "${teacher}"'s seed: it starts from the teacher's initial weights and sees its batches in the same order, so it re-learns its teacher; use another seed (e.g. ${studentSeed(seed)})`;
}
