// What the queue and study calls answer (listQueue, getStudy, runStatistics, ...): plain types
// shared by the store, the statistics, the app layer, the CLI and the renderer.
import type { RunStatus } from './types';
import type { StudySpec } from './study-plan';

export interface Spread {
  n: number;
  mean: number | null;
  /** sample standard deviation; null below two values */
  std: number | null;
}

export interface PairedDifference {
  /** number of pairs */
  n: number;
  /** mean of a - b over the pairs */
  mean: number | null;
  /** sample std of the differences */
  std: number | null;
  /** 95% paired t interval of the mean difference; null below two pairs */
  lo: number | null;
  hi: number | null;
  /** two-sided p-value of the paired t test (H0: mean difference 0); null below two pairs */
  p: number | null;
  /**
   * p Holm-adjusted across the comparisons of this metric shown together (a study's, or
   * `compare --stats`'s); set by studyStatistics, absent on a lone pairedT
   */
  pHolm?: number | null;
  /** how lo, hi and p were computed */
  method: 'paired-t';
}

export const SUMMARY_METRICS = ['top1', 'many', 'medium', 'few', 'ece'] as const;

export const COMPARED_METRICS = ['top1', 'many', 'medium', 'few'] as const;

export type SummaryMetric = (typeof SUMMARY_METRICS)[number];

export type ComparedMetric = (typeof COMPARED_METRICS)[number];

export interface SummaryRow {
  group: string;
  role: 'teacher' | 'student';
  method: string;
  params: Record<string, number>;
  /** runs planned in the group, and how many have completed (n of each metric) */
  runs: number;
  completed: number;
  seeds: number[];
  metrics: Record<SummaryMetric, Spread>;
}

export interface Comparison {
  group: string;
  baseline: string;
  /** seeds present, completed, in both groups */
  seeds: number[];
  /** a - baseline, paired by seed */
  diff: Record<ComparedMetric, PairedDifference>;
}

export interface ClassDelta {
  class: number;
  /** training images of the class in the split */
  count: number;
  /** mean over the pairs of (accuracy of the group's run - accuracy of the reference); null without pairs */
  delta: number | null;
  n: number;
}

export interface PerClassDeltas {
  group: string;
  /** a baseline group, or "teacher" (each student against its own teacher) */
  against: string;
  /** sorted by training count, many-shot first */
  classes: ClassDelta[];
}

export interface StudyStatistics {
  summary: SummaryRow[];
  comparisons: Comparison[];
  perClass: PerClassDeltas[];
  /** what a reader must know before believing the table: n < 3, runs not completed, runs with warnings */
  warnings: string[];
}

/** `dive compare --stats`: the statistics of named runs of one split, with its class names. */
export interface RunStatistics extends StudyStatistics {
  classNames: string[];
}

/** One row of `dive queue`: queued and running runs in the order they will be (or were) started. */
export interface QueueEntry {
  /** 1-based place among queued runs; null for a running one */
  position: number | null;
  name: string;
  status: RunStatus;
  method: string;
  model: string;
  split: string;
  teacher: string | null;
  /** why a queued run cannot start yet: its teacher is not completed ("teacher T is failed"); null when it can */
  blockedBy: string | null;
  priority: number;
  study: string | null;
  epochsDone: number;
  epochs: number;
  /** pid of the executor process that launched it */
  claimedBy: number | null;
  createdAt: string;
  /** who trains it: 'local' (a worker process on this machine) or 'slurm' (remote workers in cluster jobs) */
  executor: string;
  /** the scheduler's job: "123" while the array job waits, "123_4" once a task took the run; null for a local run */
  jobId: string | null;
  /** the scheduler's state of that job (PENDING, RUNNING, CANCELLED, TIMEOUT, NODE_FAIL, ...) */
  jobState: string | null;
  /** why it waits or why it ended, as the scheduler says (squeue/scontrol/sacct), or why its run was taken back */
  jobReason: string | null;
}

export interface StudyInfo {
  name: string;
  split: string;
  spec: StudySpec;
  createdAt: string;
  /** planned runs, and how many exist / have completed */
  planned: number;
  runs: { cell: string; run: string; role: 'teacher' | 'student'; method: string; seed: number; status: string; epochsDone: number }[];
}

export interface StudyDetail extends StudyInfo, StudyStatistics {
  classNames: string[];
  counts: number[];
}

export interface StudyListRow {
  name: string;
  split: string;
  methods: string[];
  seeds: number[];
  planned: number;
  runs: number;
  completed: number;
  createdAt: string;
}
