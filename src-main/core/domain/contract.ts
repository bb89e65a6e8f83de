// The API contract between the renderer and the core: every call a front door exposes, by name,
// with the zod schema its argument is validated against at the boundary (Electron IPC, HTTP).
// The renderer imports only types from here; the schemas run in the main process / server.
import { z } from 'zod';
import type { DownloadId } from './downloads';
import type { Problem } from './errors';
import { Name } from './fields';
import { AnnotateRequestSchema, type Annotation, type NotesIndex } from './notes';
import { ImportRequestSchema } from './import-schema';
import { EXPORT_FORMATS, ExportRequestSchema, ImportRunRequestSchema, PredictRequestSchema, ProbeBackendsRequestSchema, RecipeRequestSchema, RunFilterSchema, TrainRequestSchema, VeSweepRequestSchema, VirtualExamplesRequestSchema } from './run-requests';
import { SPLIT_EXPORT_FORMATS, SplitPreviewRequestSchema, SplitRequestSchema, type SplitExport } from './split-schema';
import { StudyRequestSchema } from './study-plan';
import { WorkerTokenName, type WorkerTokenInfo } from './worker-wire';
import type { QueueEntry, StudyDetail, StudyInfo, StudyListRow, RunStatistics } from './study-types';
import { TRASH_KINDS, type DeletePlan, type Deleted, type Emptied, type Restored, type TrashEntry } from './trash-types';
import type { BackendsProbe, CompareRow, DatasetInfo, DoctorReport, Progress, RunInfo, RunSummary, SplitInfo, SplitPreview, TrainEvent, VeSweep, VirtualExamplesInfo } from './types';

const None = z.strictObject({}).optional();

/** Classes datasetSamples returns when the call names none. */
export const SAMPLE_CLASSES_DEFAULT = 100;

/**
 * Every call of the workbench, by name, with the schema its argument is validated against once,
 * at the dispatcher, whichever door it came through. The schema also types the call: `Args` is
 * what a caller sends, and the handler receives the parsed value with defaults filled in.
 */
export const CALLS = {
  /** paths, versions, whether Debian's Fashion-MNIST is there to offer on first start */
  info: None,
  listDatasets: None,
  getDataset: z.strictObject({ name: Name }),
  /** progress arrives as `progress` events with `job` */
  importDataset: z.strictObject({ request: ImportRequestSchema, job: z.string().max(100).optional() }),
  /** what deleting would take (splits, studies, runs, students elsewhere, notes), before anything happens */
  planDelete: z.strictObject({ kind: z.enum(TRASH_KINDS), name: Name }),
  /** moves it to the trash; one that takes more than itself needs `cascade` (the refusal names all of it) */
  deleteDataset: z.strictObject({ name: Name, cascade: z.boolean().optional() }),
  /**
   * a few training images per class, uint8 HWC, for thumbnails; `classes` picks class indices
   * (default: the first SAMPLE_CLASSES_DEFAULT classes, so a 1,000-class dataset is not sent whole)
   */
  datasetSamples: z.strictObject({
    name: Name,
    perClass: z.number().int().min(1).max(16).default(4),
    classes: z.array(z.number().int().min(0)).max(256).optional(),
  }),
  previewSplit: SplitPreviewRequestSchema,
  createSplit: SplitRequestSchema,
  listSplits: z.strictObject({ dataset: Name.optional() }).optional(),
  getSplit: z.strictObject({ name: Name }),
  deleteSplit: z.strictObject({ name: Name, cascade: z.boolean().optional() }),
  /** a saved split as a file's text: json (counts, class names, indices into the training part), csv (class counts), list ("path label" lines) */
  exportSplit: z.strictObject({ name: Name, format: z.enum(SPLIT_EXPORT_FORMATS) }),
  /** creates the run and starts its worker; events follow */
  train: TrainRequestSchema,
  resumeRun: z.strictObject({ name: Name }),
  cancelRun: z.strictObject({ name: Name }),
  listRuns: RunFilterSchema.optional(),
  /** `cells`: every non-zero confusion cell too (above CLASS_MATRIX_MAX classes the matrix is otherwise summarised) */
  getRun: z.strictObject({ name: Name, cells: z.boolean().optional() }),
  deleteRun: z.strictObject({ name: Name, cascade: z.boolean().optional() }),
  compareRuns: z.strictObject({ names: z.array(Name).min(1, 'name at least one run') }),
  virtualExamples: VirtualExamplesRequestSchema,
  storedVirtualExamples: z.strictObject({ name: Name }),
  /** the temperature rule as a diagnostic: V's flatness and the targets' entropy over a grid of T */
  virtualExampleSweep: VeSweepRequestSchema,
  /** writes a completed run's model and run.json into a new or empty folder */
  exportRun: ExportRequestSchema,
  /**
   * the same export as one RUN-model.tar.gz for a download: answers a one-time id that
   * GET /api/download/ID (web) or the desktop window's download fetches within a minute
   */
  prepareExport: z.strictObject({ run: Name, format: z.enum(EXPORT_FORMATS).default('tfjs') }),
  /** the paper recipe as a study (an existing one is continued): trains its runs (events follow), then answers the study */
  recipe: RecipeRequestSchema,
  /** every compute backend probed now (train/probe.ts, in a worker), with a few timed steps of `model` */
  probeBackends: ProbeBackendsRequestSchema.prefault({}),
  /** every data file against its row and every file against a row; `fix` repairs what is safe */
  doctor: z.strictObject({ fix: z.boolean().optional() }).optional(),
  /** the datasets the workbench can download (import one with importDataset { format: id, download: true }) */
  downloads: None,
  /** running runs, then queued runs in start order */
  listQueue: None,
  /** higher starts first (default 0) */
  setPriority: z.strictObject({ name: Name, priority: z.number().int() }),
  /** plans a study: methods x seeds (x grid), with the teachers its distillation methods need */
  createStudy: StudyRequestSchema,
  /** queues what the study lacks (and its interrupted or cancelled runs); the executor trains them */
  runStudy: z.strictObject({ name: Name }),
  /** a token for remote workers (`dive worker --server`): shown once, stored hashed, valid for this store's worker API only */
  createWorkerToken: z.strictObject({ name: WorkerTokenName }),
  listWorkerTokens: None,
  revokeWorkerToken: z.strictObject({ name: WorkerTokenName }),
  getStudy: z.strictObject({ name: Name }),
  listStudies: None,
  deleteStudy: z.strictObject({ name: Name, cascade: z.boolean().optional() }),
  /** every trash entry, newest first, with what it holds */
  listTrash: None,
  /** brings an entry back whole; `rename` gives names a new thing has taken a -restored suffix */
  restoreTrash: z.strictObject({ id: z.number().int().min(1), rename: z.boolean().optional() }),
  /** removes entries (all without `ids`) and their files for good, with the entries that depend on them */
  emptyTrash: z.strictObject({ ids: z.array(z.number().int().min(1)).min(1).optional() }).optional(),
  /**
   * the test images of one confusion-matrix cell of a completed run (true class `actual`, predicted
   * class `predicted`), `limit` of them by index from `offset`; the first call computes the run's test predictions in a worker
   */
  cellImages: z.strictObject({
    run: Name,
    actual: z.number().int().min(0),
    predicted: z.number().int().min(0),
    limit: z.number().int().min(1).max(256).default(48),
    /** skips this many of the cell's images first (the next page: offset = images already shown) */
    offset: z.number().int().min(0).default(0),
  }),
  /** summary and paired comparisons of named runs, grouped by method (what `dive compare --stats` prints) */
  runStatistics: z.strictObject({ names: z.array(Name).min(1, 'name at least one run') }),
  /** sets the tags and / or the note of one run or study */
  annotate: AnnotateRequestSchema,
  /** every run's and study's tags and note, by name */
  listNotes: None,
  /** a completed run's top classes for image files (paths on the core's machine) or images sent with the call */
  predict: PredictRequestSchema,
  /** registers a run trained elsewhere (a safetensors file) on a split, evaluated on its test set */
  importRun: ImportRunRequestSchema,
} as const;

export type CallName = keyof typeof CALLS;

export type FrontDoor = 'electron' | 'web' | 'cli';

export interface AppInfo {
  version: string;
  dbPath: string;
  dataDir: string;
  /** Fashion-MNIST's IDX files were found (Debian's dataset-fashion-mnist) */
  fashionMnistAvailable: boolean;
  /** which door this process serves */
  frontDoor: FrontDoor;
}

/** A dataset the workbench can download by itself (DOWNLOADS in downloads.ts). */
export interface DownloadOffer {
  id: DownloadId;
  title: string;
  images: string;
  approxMB: number;
  homepage: string;
  licence: string;
  /** the addresses the files come from */
  urls: string[];
  /** already downloaded and verified: importing needs no network */
  cached: boolean;
}

export interface DatasetSamples {
  imageShape: [number, number, number];
  /** classes of the dataset (the answer may hold fewer: see `classes` of the call) */
  numClasses: number;
  /** per class: up to perClass images, each uint8 HWC as a plain number array */
  classes: { index: number; name: string; images: number[][] }[];
}

/** The test images of one confusion-matrix cell (cellImages). */
export interface CellImages {
  run: string;
  actual: number;
  predicted: number;
  /** test images in the cell: the confusion matrix's count */
  total: number;
  /** test-set indices of the images returned (`limit` of the cell's from `offset`), ascending */
  indices: number[];
  imageShape: [number, number, number];
  /** uint8 HWC as plain number arrays, as datasetSamples sends them */
  images: number[][];
}

/** What each call returns. */
export interface Results {
  info: AppInfo;
  listDatasets: DatasetInfo[];
  getDataset: DatasetInfo;
  importDataset: DatasetInfo;
  deleteDataset: DatasetInfo & Deleted;
  datasetSamples: DatasetSamples;
  previewSplit: SplitPreview;
  createSplit: SplitInfo;
  listSplits: SplitInfo[];
  getSplit: SplitInfo;
  deleteSplit: SplitInfo & Deleted;
  exportSplit: SplitExport;
  train: RunInfo;
  resumeRun: RunInfo;
  cancelRun: RunInfo;
  listRuns: RunSummary[];
  getRun: RunInfo;
  deleteRun: RunInfo & Deleted;
  compareRuns: CompareRow[];
  virtualExamples: VirtualExamplesInfo;
  storedVirtualExamples: VirtualExamplesInfo[];
  virtualExampleSweep: VeSweep;
  exportRun: ExportResult;
  prepareExport: ExportTicket;
  recipe: StudyDetail;
  probeBackends: BackendsProbe;
  doctor: DoctorReport;
  downloads: DownloadOffer[];
  listQueue: QueueEntry[];
  setPriority: QueueEntry[];
  createStudy: StudyInfo;
  runStudy: StudyInfo;
  createWorkerToken: { name: string; token: string };
  listWorkerTokens: WorkerTokenInfo[];
  revokeWorkerToken: WorkerTokenInfo;
  getStudy: StudyDetail;
  listStudies: StudyListRow[];
  deleteStudy: StudyInfo & Deleted;
  planDelete: DeletePlan;
  listTrash: TrashEntry[];
  restoreTrash: Restored;
  emptyTrash: Emptied;
  runStatistics: RunStatistics;
  cellImages: CellImages;
  annotate: Annotation;
  listNotes: NotesIndex;
  predict: PredictResult;
  importRun: RunInfo;
}

/** One image's answer from predict: its top classes, or the one line saying why it has none. */
export interface Prediction {
  file: string;
  top?: { class: number; label: string; p: number }[];
  error?: string;
}

export interface PredictResult {
  run: string;
  /** the [H, W, C] every image was resized to */
  imageShape: [number, number, number];
  predictions: Prediction[];
}

export interface ExportResult {
  dir: string;
  files: string[];
  /** the export's format, and for a one-file format the file written */
  format?: 'tfjs' | 'onnx' | 'safetensors';
  path?: string;
}

/** A file built for one download (prepareExport): fetch it by id, once, before it expires. */
export interface ExportTicket {
  id: string;
  filename: string;
  contentType: string;
  bytes: number;
  /** of the file as it will be sent */
  sha256: string;
  expiresInSeconds: number;
}

/** Where a download ticket is fetched, relative to the page (web: the server; desktop: app://dive/). */
export const downloadPath = (id: string): string => `/api/download/${encodeURIComponent(id)}`;

/** What a caller sends (defaults may be left out). */
export type Args<K extends CallName> = z.input<(typeof CALLS)[K]>;
/** What a handler receives: validated, defaults filled in. */
export type ParsedArgs<K extends CallName> = z.output<(typeof CALLS)[K]>;

/** Pushed from the core to every connected renderer. */
export type ApiEvent = TrainEvent | ({ type: 'progress'; job: string } & Progress) | { type: 'changed'; what: ChangedWhat };

/** What a `changed` event says was changed (the renderer refetches that list). */
export type ChangedWhat = 'datasets' | 'splits' | 'runs' | 'trash';

/** The typed surface the renderer sees, whatever the transport. */
export interface DiveApi {
  call<K extends CallName>(name: K, args: Args<K>): Promise<Results[K]>;
  subscribe(fn: (e: ApiEvent) => void): () => void;
}

/** A call's answer as it crosses a door (HTTP body, IPC reply): the result, or one line and the problems by field. */
export type CallEnvelope<T = unknown> = { ok: true; result: T } | { ok: false; error: string; problems?: Problem[] };

/**
 * What the desktop app's preload exposes as window.dive: the call answers its envelope (an Error
 * thrown across Electron's context bridge keeps only its message, so the problems would be lost).
 */
export interface DiveBridge {
  call(name: CallName, args: unknown): Promise<CallEnvelope>;
  subscribe(fn: (e: ApiEvent) => void): () => void;
}

export type { BackendsProbe, CompareRow, DatasetInfo, RunInfo, RunSummary, SplitInfo, SplitPreview, TrainEvent, VirtualExamplesInfo };
