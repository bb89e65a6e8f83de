// The checks that tell a user a run did not learn or was set up against the method's assumptions.
// Each returns the one warning line, or null. Thresholds are stated where they are defined.
import type { Method } from '../domain/method';
import { sharedSeedWarning } from '../domain/teacher-choice';

/** The share of the training split a constant prediction (the largest class) gets right. */
export function majorityShare(classCounts: readonly number[]): number {
  const n = classCounts.reduce((a, b) => a + b, 0);
  return n ? Math.max(...classCounts) / n : 0;
}

/** The epoch (1-based) after which the training accuracy is checked: the third, or the last of a shorter run. */
export function chanceCheckEpoch(epochs: number): number {
  return Math.min(3, epochs);
}

/**
 * Training accuracy no better than always predicting the largest class (and no better than 1/C)
 * after the first epochs: the model is not learning.
 */
export function trainChanceWarning(trainAcc: number, epoch: number, classCounts: readonly number[]): string | null {
  const chance = Math.max(1 / classCounts.length, majorityShare(classCounts));
  if (trainAcc > chance) return null;
  return `training accuracy is ${(trainAcc * 100).toFixed(1)}% after epoch ${epoch}, no better than always predicting the largest class (${(chance * 100).toFixed(1)}%): the model is not learning; try a lower learning rate, a longer warm-up or more epochs`;
}

/** Balanced test top-1 below 1.5 / C: the run ended at chance level. */
export function testChanceWarning(top1: number, numClasses: number, who = 'the run'): string | null {
  if (top1 >= 1.5 / numClasses) return null;
  return `${who} ended at chance level: test top-1 ${(top1 * 100).toFixed(1)}% with ${numClasses} balanced classes (chance ${(100 / numClasses).toFixed(1)}%)`;
}

/**
 * A batch loss that is not finite, or 100 times the first batch's (at least 100 times ln C), means
 * the run diverged; the loop stops it as failed with this reason.
 */
export function divergenceReason(loss: number, firstLoss: number, numClasses: number, epoch: number, batch: number): string | null {
  const where = `at epoch ${epoch}, batch ${batch}`;
  if (!Number.isFinite(loss)) return `training diverged: the loss is ${loss} ${where}; try a lower learning rate or a longer warm-up`;
  const limit = 100 * Math.max(Math.log(Math.max(numClasses, 2)), Number.isFinite(firstLoss) ? firstLoss : 0);
  if (loss > limit) return `training diverged: the loss reached ${loss.toPrecision(3)} ${where} (more than ${limit.toPrecision(3)}); try a lower learning rate or a longer warm-up`;
  return null;
}

export interface TeacherFacts {
  name: string;
  method: Method | string;
  splitId: number;
  splitName: string;
  normHead: boolean;
  top1: number | null;
  numClasses: number;
  seed: number;
}

/** What DiVE assumes of its teacher (method notes: a BSCE model on the same long-tailed split). */
export function teacherWarnings(t: TeacherFacts, student: { method: Method; splitId: number; splitName: string; seed: number }): string[] {
  const out: string[] = [];
  if (student.method === 'dive' && t.method !== 'bsce') {
    out.push(`teacher "${t.name}" was trained with ${t.method}, not Balanced Softmax (bsce): DiVE's virtual examples assume a BSCE teacher`);
  }
  if (t.splitId !== student.splitId) {
    out.push(`teacher "${t.name}" was trained on split "${t.splitName}", not "${student.splitName}": it saw other images and other class counts (it is fed its own split's normalisation)`);
  }
  if (t.normHead) out.push(`teacher "${t.name}" has a cosine classifier (normHead): its logits are bounded cosines, so tempered softmax targets are nearly uniform`);
  if (t.top1 != null) {
    const w = testChanceWarning(t.top1, t.numClasses, `teacher "${t.name}"`);
    if (w) out.push(w);
  }
  if (student.seed === t.seed) out.push(sharedSeedWarning(t.name, student.seed));
  return out;
}
