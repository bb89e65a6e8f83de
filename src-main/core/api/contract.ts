// The API contract between the renderer and the core: every call a front door exposes, by name,
// with the zod schema its argument is validated against at the boundary (Electron IPC, HTTP).
// The renderer imports only types from here; the schemas run in the main process / server.
import { z } from 'zod';
import type { CompareRow } from './runs-service';
import type { DatasetInfo, RunInfo, SplitInfo, TrainEvent, VirtualExamplesInfo, Progress } from './types';
import type { SplitPreview } from '../splits/preview';
import type { QueueEntry } from '../store/queue';
import type { RunListRow } from '../store/run-list';
import type { StudyDetail, StudyInfo, StudyListRow } from '../app/study-service';
import type { StudyStatistics } from '../eval/study-stats';

const Name = z.string().trim().min(1, 'must not be empty');
const None = z.strictObject({}).optional();
/** Arbitrary request objects are validated in depth by the module they are handed to. */
const Request = z.record(z.string(), z.unknown());

export const CALLS = {
  /** paths, versions, whether Debian's Fashion-MNIST is there to offer on first start */
  info: None,
  listDatasets: None,
  getDataset: z.strictObject({ name: Name }),
  /** ImportRequest (api/import-schema.ts); progress arrives as `progress` events with `job` */
  importDataset: z.strictObject({ request: Request, job: z.string().max(100).optional() }),
  deleteDataset: z.strictObject({ name: Name }),
  /**
   * a few training images per class, uint8 HWC, for thumbnails; `classes` picks class indices
   * (default: the first SAMPLE_CLASSES_DEFAULT classes, so a 1,000-class dataset is not sent whole)
   */
  datasetSamples: z.strictObject({
    name: Name,
    perClass: z.number().int().min(1).max(16).default(4),
    classes: z.array(z.number().int().min(0)).max(256).optional(),
  }),
  previewSplit: Request,
  createSplit: Request,
  listSplits: z.strictObject({ dataset: Name.optional() }).optional(),
  getSplit: z.strictObject({ name: Name }),
  deleteSplit: z.strictObject({ name: Name }),
  /** TrainRequest (api/runs-service.ts): creates the run and starts its worker; events follow */
  train: Request,
  resumeRun: z.strictObject({ name: Name }),
  cancelRun: z.strictObject({ name: Name }),
  listRuns: z.strictObject({ split: Name.optional(), status: z.string().optional() }).optional(),
  getRun: z.strictObject({ name: Name }),
  deleteRun: z.strictObject({ name: Name }),
  compareRuns: z.strictObject({ names: z.array(Name).min(1) }),
  virtualExamples: z.strictObject({ run: Name, tau: z.number().gt(0).optional(), power: z.number().gt(0).max(1).optional() }),
  storedVirtualExamples: z.strictObject({ name: Name }),
  /** running runs, then queued runs in start order */
  listQueue: None,
  /** the lean listing (`dive runs --json`): status, progress, final metrics; one query, for large stores */
  listRunRows: z.strictObject({ split: Name.optional(), status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted']).optional() }).optional(),
  /** higher starts first (default 0) */
  setPriority: z.strictObject({ name: Name, priority: z.number().int() }),
  /** StudyRequest (app/study-plan.ts) */
  createStudy: Request,
  /** queues what the study lacks (and its interrupted or cancelled runs); the in-process executor trains them */
  runStudy: z.strictObject({ name: Name }),
  getStudy: z.strictObject({ name: Name }),
  listStudies: None,
  deleteStudy: z.strictObject({ name: Name }),
  /** summary and paired comparisons of named runs, grouped by method (what `dive compare --stats` prints) */
  runStatistics: z.strictObject({ names: z.array(Name).min(1) }),
} as const;

export type CallName = keyof typeof CALLS;

export interface AppInfo {
  version: string;
  dbPath: string;
  dataDir: string;
  /** Fashion-MNIST's IDX files were found (Debian's dataset-fashion-mnist) */
  fashionMnistAvailable: boolean;
  /** 'electron' or 'web' */
  frontDoor: 'electron' | 'web';
}

/** Classes datasetSamples returns when the call names none. */
export const SAMPLE_CLASSES_DEFAULT = 100;

export interface DatasetSamples {
  imageShape: [number, number, number];
  /** classes of the dataset (the answer may hold fewer: see `classes` of the call) */
  numClasses: number;
  /** per class: up to perClass images, each uint8 HWC as a plain number array */
  classes: { index: number; name: string; images: number[][] }[];
}

/** What each call returns. */
export interface Results {
  info: AppInfo;
  listDatasets: DatasetInfo[];
  getDataset: DatasetInfo;
  importDataset: DatasetInfo;
  deleteDataset: DatasetInfo;
  datasetSamples: DatasetSamples;
  previewSplit: SplitPreview;
  createSplit: SplitInfo;
  listSplits: SplitInfo[];
  getSplit: SplitInfo;
  deleteSplit: SplitInfo;
  train: RunInfo;
  resumeRun: RunInfo;
  cancelRun: RunInfo;
  listRuns: RunInfo[];
  getRun: RunInfo;
  deleteRun: RunInfo;
  compareRuns: CompareRow[];
  virtualExamples: VirtualExamplesInfo;
  storedVirtualExamples: VirtualExamplesInfo[];
  listQueue: QueueEntry[];
  listRunRows: RunListRow[];
  setPriority: QueueEntry[];
  createStudy: StudyInfo;
  runStudy: StudyInfo;
  getStudy: StudyDetail;
  listStudies: StudyListRow[];
  deleteStudy: StudyInfo;
  runStatistics: StudyStatistics;
}

export type Args<K extends CallName> = z.input<(typeof CALLS)[K]>;

/** Pushed from the core to every connected renderer. */
export type ApiEvent = TrainEvent | ({ type: 'progress'; job: string } & Progress) | { type: 'changed'; what: 'datasets' | 'splits' | 'runs' };

/** The typed surface the renderer sees, whatever the transport. */
export interface DiveApi {
  call<K extends CallName>(name: K, args: Args<K>): Promise<Results[K]>;
  subscribe(fn: (e: ApiEvent) => void): () => void;
}

export type { QueueEntry, RunListRow, StudyDetail, StudyInfo, StudyListRow, StudyStatistics };
export type { CompareRow, DatasetInfo, RunInfo, SplitInfo, SplitPreview, TrainEvent, VirtualExamplesInfo };
