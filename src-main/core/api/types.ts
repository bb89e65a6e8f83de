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
