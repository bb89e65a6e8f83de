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
  /** downloads: bytes per second over this attempt, and seconds left at that rate (null: not known yet) */
  bytesPerSecond?: number | null;
  etaSeconds?: number | null;
  /** downloads: the line to show, e.g. "12.0 MB / 170.1 MB, 2.4 MB/s, 1:06 left" */
  detail?: string;
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
  testAcc: number;
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
  teacher: string | null;
  config: Record<string, unknown>;
  backend: string | null;
  backendReport: BackendReport | null;
  epochsDone: number;
  epochs: EpochRecord[];
  metrics: RunMetrics | null;
  bestMetrics: RunMetrics | null;
  imagesPerSecond: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
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
  | { type: 'finished'; run: string; status: RunStatus; error?: string };
