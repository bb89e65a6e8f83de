import type { Flatness } from '../eval/virtual-examples';

// Plain result objects shared by the CLI's JSON output, the HTTP API and the renderer.
// Accuracies are fractions in [0, 1]; class indices are the dataset's label indices.

export type DatasetFormat = 'idx' | 'cifar10' | 'cifar100' | 'folder' | 'list' | 'inat';
export type ShotGroup = 'many' | 'medium' | 'few';
export type Profile = 'exp' | 'step';
export type ClassOrder = 'label' | 'shuffle';

export interface ShotThresholds {
  /** a class with more than `many` training images is many-shot */
  many: number;
  /** a class with fewer than `few` training images is few-shot; the rest are medium */
  few: number;
}

export interface Groups {
  many: number[];
  medium: number[];
  few: number[];
}

/** Class-frequency statistics of one set of per-class counts, computed once and stored. */
export interface ClassStats {
  numClasses: number;
  total: number;
  min: number;
  max: number;
  /** max / min over classes with at least one image (Infinity is never stored: null when every class is empty) */
  imbalanceRatio: number | null;
  /** Gini coefficient of the counts: 0 balanced, towards 1 concentrated */
  gini: number;
  /** Shannon entropy of the class distribution divided by log(C): 1 balanced */
  normalizedEntropy: number;
  emptyClasses: number;
  thresholds: ShotThresholds;
  groups: Groups;
}

export interface DatasetInfo {
  id: number;
  name: string;
  format: DatasetFormat;
  numClasses: number;
  /** [height, width, channels] */
  imageShape: [number, number, number];
  classNames: string[];
  train: { counts: number[]; total: number };
  test: { counts: number[]; total: number };
  stats: ClassStats;
  source: Record<string, unknown>;
  createdAt: string;
}

export interface SplitStats extends ClassStats {}

export interface SplitInfo {
  id: number;
  name: string;
  dataset: string;
  datasetId: number;
  profile: Profile;
  ratio: number;
  maxPerClass: number;
  seed: number;
  classOrder: ClassOrder;
  /** class index at each rank of the profile (rank 0 gets maxPerClass) */
  order: number[];
  /** per class, indexed by class index */
  counts: number[];
  total: number;
  thresholds: ShotThresholds;
  groups: Groups;
  stats: ClassStats;
  createdAt?: string;
}

export interface Progress {
  phase: string;
  done: number;
  total: number;
}

export type ProgressFn = (p: Progress) => void;

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export interface BackendReport {
  /** tensorflow-gpu | tensorflow | wasm | cpu */
  name: string;
  device: 'gpu' | 'cpu';
  threads: number;
  /** one line on the build in use, e.g. "wasm SIMD build, 1 thread" */
  detail?: string;
  /** why each better backend was not used */
  reasons: string[];
}

export interface EpochRecord {
  /** 1-based */
  epoch: number;
  loss: number;
  lr: number;
  trainAcc: number;
  /** test top-1; null on epochs not evaluated (see RunConfig.evalEvery) */
  testAcc: number | null;
  /** balanced accuracy on the validation holdout (RunConfig.valFraction); null when none or not evaluated */
  valAcc?: number | null;
  seconds: number;
  imagesPerSec: number;
}

export interface GroupAccuracy {
  many: number | null;
  medium: number | null;
  few: number | null;
}

export interface RunMetrics extends GroupAccuracy {
  top1: number;
  ece: number;
  /** per class accuracy on the balanced test set; null where a class has no test image */
  perClass: (number | null)[];
  /** rows: true class, columns: predicted class */
  confusion?: number[][];
  /** epoch these metrics were measured at (1-based) */
  epoch?: number;
}

export interface RunInfo {
  id: number;
  name: string;
  status: RunStatus;
  error: string | null;
  method: string;
  model: string;
  split: string;
  splitId: number;
  dataset: string;
  /** the teacher's name, kept by the student even after the teacher is deleted */
  teacher: string | null;
  /** the teacher as it was when the student was created (kd, dive) */
  teacherInfo: TeacherInfo | null;
  config: Record<string, unknown>;
  backend: string | null;
  backendReport: BackendReport | null;
  epochsDone: number;
  epochs: EpochRecord[];
  /** the last epoch's metrics: the reported figure (no epoch is chosen on the test set) */
  metrics: RunMetrics | null;
  /** what a careful reviewer would want to know about this run (also on the CLI's stderr) */
  warnings: string[];
  imagesPerSecond: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** What a student records of its teacher and of how it was distilled. */
export interface TeacherInfo {
  name: string;
  method: string;
  model: string;
  split: string;
  /** the teacher's final test top-1 */
  top1: number | null;
  normHead: boolean;
  /** the distillation settings of the student */
  tau: number;
  power: number;
  alpha: number;
}

export interface VirtualExamplesInfo {
  run: string;
  tau: number;
  power: number;
  /** per class V_k; sums to the number of training images */
  v: number[];
  /** the split's training counts beside it */
  counts: number[];
  flatness: Flatness;
}

/** A training event from the worker, relayed to whichever front door started the run. */
export type TrainEvent =
  | { type: 'started'; run: string; backend: BackendReport; epochs: number; resumedFrom: number }
  | { type: 'batch'; run: string; epoch: number; batch: number; batches: number; loss: number; acc: number; imagesPerSec: number; etaSeconds: number }
  | { type: 'epoch'; run: string; record: EpochRecord; epochs: number }
  | { type: 'warning'; run: string; warning: string }
  | { type: 'finished'; run: string; status: RunStatus; error?: string };
