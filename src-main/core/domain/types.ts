import type { BackendName, ImageShape, ModelKind, RunConfig } from './run-config';
import type { ConfusionCell, TopConfusion } from './many-classes';
import type { PosthocSweep } from './posthoc';

// Plain result objects shared by the CLI's JSON output, the HTTP API and the renderer.
// Accuracies are fractions in [0, 1]; class indices are the dataset's label indices.

export type DatasetFormat = 'idx' | 'cifar10' | 'cifar100' | 'folder' | 'list' | 'inat';
export type ShotGroup = 'many' | 'medium' | 'few';

/**
 * How a split's per-class counts fall from the head class to the tail: an exponential or step
 * profile drawn below every class count, or 'natural', the training set as it is (ImageNet-LT,
 * iNaturalist: already long-tailed, trained as published).
 */
export const PROFILES = ['exp', 'step', 'natural'] as const;
export type Profile = (typeof PROFILES)[number];
/** Which class gets which rank of the profile: label order, or a seeded shuffle. */
export const CLASS_ORDERS = ['label', 'shuffle'] as const;
export type ClassOrder = (typeof CLASS_ORDERS)[number];

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

/** Every status a run can be in, in the order a run passes through them. */
export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface BackendReport {
  /** tensorflow-gpu | webgpu | tensorflow | wasm | cpu */
  name: string;
  device: 'gpu' | 'cpu';
  threads: number;
  /** one line on the build in use, e.g. "wasm SIMD build, 1 thread" */
  detail?: string;
  /** the webgpu rung's adapter (name, vendor, whether it is a software one) */
  adapter?: AdapterFacts;
  /** why each better backend was not used */
  reasons: string[];
  /** the workbench version whose worker last started the run (absent in runs from before it was recorded) */
  appVersion?: string;
}

/** What Dawn says about a WebGPU adapter. */
export interface AdapterFacts {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** a CPU implementation of WebGPU (SwiftShader, llvmpipe, WARP, Dawn's fallback adapter) */
  software: boolean;
  /** the largest single buffer the adapter allows, in bytes */
  maxBufferSize: number;
}

/** One compute rung as `dive backends` / probeBackends finds it now. */
export interface RungProbe {
  name: BackendName;
  available: boolean;
  /** why the rung cannot be used (absent when available) */
  reason?: string;
  device?: 'gpu' | 'cpu';
  detail?: string;
  threads?: number;
  adapter?: AdapterFacts;
  /** training images per second over the timed steps, and how many steps those were */
  imagesPerSec?: number;
  timedSteps?: number;
  /** the only timed step was the first (the backend spent the time budget on it) */
  includesWarmup?: boolean;
  /** seconds to load the backend, and to build the model and run its first (untimed) step: once per run */
  loadSeconds?: number;
  warmupSeconds?: number;
  /** evaluation (forward only) images per second, batches of 256: the test and validation passes, a teacher's forward */
  evalImagesPerSec?: number;
}

export interface BackendsProbe {
  /** the rung a run with no backend asked for would use */
  chosen: BackendName | null;
  logicalCores: number;
  model: ModelKind;
  imageShape: ImageShape;
  batchSize: number;
  rungs: RungProbe[];
  /** seconds the probing process had been running when it began (a worker's start: a run pays it too) */
  startSeconds?: number;
}

export interface EpochRecord {
  /** 1-based */
  epoch: number;
  loss: number;
  lr: number;
  trainAcc: number;
  /** test top-1; null on epochs not evaluated (see RunConfig.evalEvery) */
  testAcc: number | null;
  /**
   * test images behind testAcc: the whole test set, or a short run's fixed sample before its last
   * epoch (domain/eval-plan.ts); null when not evaluated, absent for runs recorded before it was kept
   */
  testImages?: number | null;
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

/** A run's final figures as lists show them (stored as columns beside the full metrics). */
export interface RunMetricsSummary extends GroupAccuracy {
  top1: number;
  ece: number;
}

export interface RunMetrics extends RunMetricsSummary {
  /** per class accuracy on the balanced test set; null where a class has no test image */
  perClass: (number | null)[];
  /** rows: true class, columns: predicted class; up to CLASS_MATRIX_MAX classes (many-classes.ts) */
  confusion?: number[][];
  /**
   * every non-zero cell of the confusion matrix, row-major: what training reports and the store
   * keeps (store/confusion.ts); getRun answers with it only when asked (`cells: true`)
   */
  confusionCells?: ConfusionCell[];
  /** above CLASS_MATRIX_MAX classes, instead of the full matrix: per-class precision (null where nothing was predicted as the class) */
  precision?: (number | null)[];
  /** above CLASS_MATRIX_MAX classes: the largest off-diagonal cells, largest first (TOP_CONFUSIONS of them) */
  topConfusions?: TopConfusion[];
  /** tau-norm and logit-adjust runs: the metrics of every t of the grid (domain/posthoc.ts) */
  posthoc?: PosthocSweep;
  /** epoch these metrics were measured at (1-based) */
  epoch?: number;
}

/**
 * A run as lists show it (listRuns): columns only, so listing 10,000 runs parses no JSON per row
 * (getRun adds the config, the full metrics, the teacher and backend records and the epochs).
 */
export interface RunHyper {
  lr: number;
  batchSize: number;
  tau: number | null;
  power: number | null;
  alpha: number | null;
}

export interface RunSummary {
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
  /** the study the run belongs to, if any */
  study: string | null;
  /** the run's config.seed and config.epochs */
  seed: number;
  epochsTotal: number;
  /** the hyper-parameters the Runs screen shows and filters on (tau, power, alpha as stored, whatever the method) */
  hyper: RunHyper;
  backend: string | null;
  epochsDone: number;
  /** the last epoch's top-1, shot groups and ECE (no epoch is chosen on the test set); null until completed */
  metrics: RunMetricsSummary | null;
  /**
   * balanced accuracy on the run's validation holdout (config.valFraction) at its last epoch; null
   * without a holdout. What a teacher is chosen by, never the test accuracy (domain/teacher-choice.ts)
   */
  valAcc: number | null;
  /** what a careful reviewer would want to know about this run (also on the CLI's stderr) */
  warnings: string[];
  imagesPerSecond: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** where its weights came from when not (only) from training here: import-run, --init-weights; null otherwise */
  origin: RunOrigin | null;
}

/**
 * Weights from outside the workbench. `imported`: a run trained elsewhere (dive import-run), its
 * weights evaluated here on import; `initialised`: a run that trained here from a file's weights
 * (--init-weights, its classifier fresh with --reset-head).
 */
export interface RunOrigin {
  kind: 'imported' | 'initialised';
  /** the file's name (no folder: a path would say where the user keeps things) */
  file: string;
  sha256: string;
  at: string;
  /** initialised: the classifier was left fresh (another class count) */
  resetHead?: boolean;
  /** what the file says of itself (its metadata's run, e.g. the workbench run or "PyTorch 2.3") */
  source?: Record<string, unknown> | null;
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

/** Where one attempt at a run trained (db/015_run_provenance.sql); a resumed run has one per attempt. */
export interface RunAttempt {
  /** 1, 2, ... in the order the attempts started */
  attempt: number;
  /** local: a worker process of the store's own machine; remote: `dive worker --server`; slurm: such a worker in a task the Slurm executor submitted */
  executor: 'local' | 'remote' | 'slurm';
  host: string;
  /** the training process */
  pid: number | null;
  /** a remote worker's name for itself (host:pid) */
  worker: string | null;
  /** the worker token a remote worker claimed the run with */
  token: string | null;
  /** the Slurm job (an array's job id) and array task the worker ran in */
  slurm: { jobId: string; arrayTaskId: string | null } | null;
  appVersion: string;
  /** the commit of the git checkout the workbench ran from (null: an installed build) */
  gitCommit: string | null;
  backend: string | null;
  /** epochs done when it started: 0, or the checkpoint it resumed from */
  resumedFrom: number;
  startedAt: string;
}

/** A run with everything stored of it (getRun, and what training answers). */
export interface RunInfo extends RunSummary {
  config: RunConfig;
  /** the last epoch's metrics, per class accuracy and confusion matrix included */
  metrics: RunMetrics | null;
  /** the teacher as it was when the student was created (kd, dive) */
  teacherInfo: TeacherInfo | null;
  backendReport: BackendReport | null;
  epochs: EpochRecord[];
  /** where each attempt at it trained, oldest first */
  provenance: RunAttempt[];
  /** the run's tags and note (annotate), so `dive run --json` and an exported run.json carry them */
  tags: string[];
  note: string;
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

/** Mean over the classes of each shot group; null for an empty group. */
export interface GroupMeans {
  many: number | null;
  medium: number | null;
  few: number | null;
}

/** The Fig. 5 readout: how flat V is across shot groups, next to the input counts. */
export interface Flatness {
  /** mean V_k per shot group */
  virtual: GroupMeans;
  /** mean n_k per shot group (the input distribution) */
  input: GroupMeans;
  /** virtual.few / virtual.many (1 = flat) */
  fewOverMany: number | null;
  /** input.few / input.many, for comparison */
  inputFewOverMany: number | null;
  /** max_k V_k / min_k V_k over all classes; null if some V_k is 0 */
  maxOverMin: number | null;
  /** max n / min n over classes with n > 0 (the imbalance ratio rho) */
  inputMaxOverMin: number | null;
}

/** Everything a split is before it has a name and rows: what the split builder shows live. */
export type SplitPreview = Omit<SplitInfo, 'id' | 'name' | 'dataset' | 'datasetId' | 'createdAt'>;

/** One row of the paper-style comparison table. */
export interface CompareRow {
  run: string;
  method: string;
  model: string;
  /** the hyper-parameters that define the method, e.g. "T=3 p=0.5 alpha=0.5" */
  params: string;
  epochs: number;
  status: RunStatus;
  top1: number | null;
  many: number | null;
  medium: number | null;
  few: number | null;
  ece: number | null;
}


/** `dive doctor`: every data file against its row, every file against a row. */
export interface DoctorProblem {
  /** missing-file | corrupt-file | shared-file | orphan | stray-file | trash | trash-entry | staging | stale-run | database | recovered-at-open */
  kind: string;
  /** the file or folder concerned, absolute (or the database) */
  path: string;
  detail: string;
  /** repaired by this check (or by the open before it) */
  fixed: boolean;
}

export interface DoctorReport {
  dbPath: string;
  dataDir: string;
  blobsChecked: number;
  bytesChecked: number;
  problems: DoctorProblem[];
  /** what the user's trash holds (`dive trash list`): entries, and bytes of their data files */
  trash: { entries: number; bytes: number };
  /** problems left for the user to resolve */
  unresolved: number;
}

/** `dive ve RUN --sweep`: the temperature rule applied over a grid of T. */
/** "Roughly flat": the few-shot mean of V at least this share of the many-shot mean. */
export const FLAT_FEW_OVER_MANY = 0.8;

export interface SweepPoint {
  tau: number;
  /** tau / power: the temperature of the equivalent plain softmax */
  effectiveTau: number;
  virtual: GroupMeans;
  fewOverMany: number | null;
  maxOverMin: number | null;
  /** mean over training images of H(target) / ln C: 0 one-hot, 1 uniform */
  entropy: number;
}

export interface VeSweep {
  run: string;
  power: number;
  input: GroupMeans;
  sweep: SweepPoint[];
  /** the smallest T of the grid meeting the rule with targets not yet nearly uniform; null otherwise */
  suggestedTau: number | null;
  /** why that T, or why none */
  reason: string;
}
