// `dive worker --server URL`: a worker on another host (a Slurm task, a GPU box) that claims runs
// from the store's server, fetches what a run needs by SHA-256 into its cache, trains with the
// best local backend, and posts every epoch (record + checkpoint), the final weights and metrics
// back. A run it resumes starts from the last checkpoint the server committed, so the result is the
// same as an uninterrupted run's on the same backend (the loop resumes bit for bit).
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { describeError } from '../domain/describe-error';
import { parseRunConfig } from '../domain/run-config';
import type { BackendReport, EpochRecord, RunStatus } from '../domain/types';
import { ClaimAnswer, HeartbeatAnswer, frameUpload, type FileRef, type RunJob } from '../domain/worker-wire';
import { selectBackend } from '../train/backend';
import { decodeCheckpoint, encodeCheckpoint, encodeTensorFile, readWeights, type WeightsMeta } from '../train/checkpoint';
import { loadModel, virtualExamplesOf } from '../train/inference';
import type { TrainData } from '../train/loop';
import { runMethod } from '../train/run-method';
import { gatherLabels } from '../train/holdout';
import { pixelsFile, pixelsSubset, type PixelSource } from '../train/pixel-source';
import { cached } from './blob-cache';
import { processFacts } from './provenance';
import { LeaseLostError, workerClient, type WorkerClient } from './worker-client';
import { createHash } from 'node:crypto';

export interface RemoteWorkerOptions {
  server: string;
  token: string;
  cacheDir: string;
  study?: string;
  run?: string;
  /** runs to train before exiting (default: until nothing is left) */
  maxRuns?: number;
  /** the scheduler's job this worker runs in (Slurm: $SLURM_ARRAY_JOB_ID_$SLURM_ARRAY_TASK_ID) */
  jobId?: string;
  log: (line: string) => void;
  /** true once the worker should stop after its batch (SIGTERM from scancel, Ctrl-C) */
  stopping: () => boolean;
  /** keep asking for work when there is none (until stopped) */
  watch?: boolean;
  /** how long to wait before asking again while runs wait for a teacher (default 2 s) */
  waitMs?: number;
  retryForMs?: number;
}

export interface RemoteRunEnd {
  name: string;
  status: RunStatus;
  resumedFrom: number;
  error?: string;
}

const int32 = (b64: string) => {
  const b = Buffer.from(b64, 'base64');
  const out = new Int32Array(b.length / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
};
const ref = (bytes: Uint8Array): FileRef => ({ sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runRemoteWorker(o: RemoteWorkerOptions): Promise<RemoteRunEnd[]> {
  const client = workerClient(o.server, o.token, { log: o.log, retryForMs: o.retryForMs });
  const worker = `${hostname()}:${process.pid}`;
  const ended: RemoteRunEnd[] = [];
  while (ended.length < (o.maxRuns ?? Infinity) && !o.stopping()) {
    const answer = await client.json('claim', { study: o.study, run: o.run, jobId: o.jobId, worker }, (v) => ClaimAnswer.parse(v));
    if (answer.kind === 'none' && !o.watch) break;
    if (answer.kind === 'none') {
      await sleep(5 * (o.waitMs ?? 2000));
      continue;
    }
    if (answer.kind === 'wait') {
      await sleep(o.waitMs ?? 2000);
      continue;
    }
    ended.push(await trainJob(client, answer.job, o));
  }
  return ended;
}

async function fetchFile(client: WorkerClient, o: RemoteWorkerOptions, f: FileRef, what: string): Promise<string> {
  const got = await cached(o.cacheDir, f, () => client.download(`blobs/${f.sha256}`));
  if (got.fetched) o.log(`worker: fetched ${what} (${(f.bytes / 1024 / 1024).toFixed(1)} MiB)`);
  return got.path;
}

/** The split read batch by batch from the cached pixel files, as the local worker reads the store's (close both sources when done). */
async function loadData(client: WorkerClient, job: RunJob, o: RemoteWorkerOptions): Promise<TrainData<PixelSource>> {
  const d = job.data;
  const [h, w, c] = d.imageShape;
  const trainPath = await fetchFile(client, o, d.trainPixels, 'training pixels');
  const testPath = await fetchFile(client, o, d.testPixels, 'test pixels');
  const indices = int32(d.indices);
  return {
    trainImages: pixelsSubset(pixelsFile(trainPath, h * w * c), indices),
    trainLabels: gatherLabels(int32(d.trainLabels), indices),
    testImages: pixelsFile(testPath, h * w * c),
    testLabels: int32(d.testLabels),
    imageShape: d.imageShape,
    numClasses: d.numClasses,
    classCounts: d.classCounts,
    groups: d.groups,
  };
}

async function trainJob(client: WorkerClient, job: RunJob, o: RemoteWorkerOptions): Promise<RemoteRunEnd> {
  const lease = { leaseId: job.leaseId };
  const path = (call: string) => `runs/${job.id}/${call}`;
  const release = (status: 'interrupted' | 'cancelled' | 'failed', error?: string) =>
    client.json(path('release'), { ...lease, status, error }, () => undefined).catch((e: unknown) => o.log(`worker: run ${job.name}: could not report ${status}: ${describeError(e)}`));
  let resumedFrom = 0;
  let data: TrainData<PixelSource> | null = null;
  try {
    const cfg = parseRunConfig(job.config);
    const backend: BackendReport = await selectBackend((cfg.backend ?? undefined) as Parameters<typeof selectBackend>[0], {
      threads: cfg.threads ?? undefined,
      allowSoftwareAdapter: cfg.allowSoftwareAdapter || undefined,
    });
    // where this attempt runs, for the run's provenance (the store adds the token and the executor)
    await client.json(path('started'), { ...lease, backend, facts: { ...processFacts(), worker: `${hostname()}:${process.pid}` } }, () => undefined);
    const resume = job.checkpoint ? decodeCheckpoint(readFileSync(await fetchFile(client, o, job.checkpoint, `checkpoint of epoch ${job.epochsDone}`)), `checkpoint of ${job.name}`) : undefined;
    resumedFrom = resume?.epochsDone ?? 0;
    o.log(`worker: run ${job.name} on ${backend.name}${resumedFrom ? `, resuming after epoch ${resumedFrom}` : ''} (${cfg.epochs} epochs)`);
    data = await loadData(client, job, o);
    const teacher = job.teacher ? loadModel(await fetchFile(client, o, job.teacher.weights, `teacher ${job.teacher.name}'s weights`)) : undefined;
    const init = !resume && job.init ? readWeights(await fetchFile(client, o, job.init, 'initial weights')).weights : undefined;

    let cancelled = false;
    let lastBeat = Date.now();
    const warnings: string[] = [];
    const beatEvery = Math.max(1000, job.leaseMs / 4);
    const result = await runMethod({
      config: cfg,
      init,
      data,
      from: teacher,
      teacherNormalization: teacher ? { mean: teacher.meta.mean, std: teacher.meta.std } : undefined,
      resume,
      keepTestLogits: false,
      hooks: {
        onBatch: async () => {
          if (Date.now() - lastBeat < beatEvery) return;
          lastBeat = Date.now();
          const beat = await client.json(path('heartbeat'), { ...lease, warnings: warnings.splice(0) }, (v) => HeartbeatAnswer.parse(v));
          cancelled ||= beat.cancel;
        },
        onEpoch: async (record: EpochRecord, checkpoint) => {
          const bytes = Buffer.concat(encodeCheckpoint(checkpoint));
          await client.upload(path('epoch'), frameUpload({ ...lease, record: { ...record, valAcc: record.valAcc ?? null }, checkpoint: ref(bytes) }, bytes));
          lastBeat = Date.now();
          o.log(`worker: run ${job.name} epoch ${record.epoch}/${cfg.epochs} loss ${record.loss.toFixed(4)}${record.testAcc != null ? ` test ${(record.testAcc * 100).toFixed(2)}%` : ''}`);
        },
        onWarning: (w) => void warnings.push(w),
        shouldStop: () => cancelled || o.stopping(),
      },
    });
    if (result.status === 'stopped') {
      // cancelled: the person asked; otherwise the task is being stopped (scancel, time limit): the run goes back to the queue
      const status = cancelled ? 'cancelled' : 'interrupted';
      await release(status, cancelled ? undefined : `its worker on ${hostname()} was stopped after epoch ${result.records.length}`);
      o.log(`worker: run ${job.name} ${status}`);
      return { name: job.name, status: cancelled ? 'cancelled' : 'queued', resumedFrom };
    }
    const meta: WeightsMeta = { model: cfg.model, imageShape: data.imageShape, numClasses: data.numClasses, normHead: cfg.normHead, ...result.normalization, steps: result.steps };
    const weights = Buffer.concat(encodeTensorFile<WeightsMeta>({ kind: 'weights', meta, groups: { weights: result.weights } }));
    const n = result.trainCounts.reduce((a, b) => a + b, 0);
    const seconds = result.records.reduce((s, r) => s + n / r.imagesPerSec, 0);
    const virtualExamples =
      teacher && job.teacher && cfg.method === 'dive'
        ? await virtualExamplesOf(job.teacher.name, teacher, data, cfg.params.tau, cfg.params.power)
        : null;
    if (warnings.length) await client.json(path('heartbeat'), { ...lease, warnings }, (v) => HeartbeatAnswer.parse(v));
    await client.upload(path('finish'), frameUpload({ ...lease, metrics: result.final, imagesPerSecond: result.records.length ? (n * result.records.length) / Math.max(seconds, 1e-9) : null, weights: ref(weights), virtualExamples }, weights));
    o.log(`worker: run ${job.name} completed: top-1 ${(result.final.top1 * 100).toFixed(2)}%`);
    return { name: job.name, status: 'completed', resumedFrom };
  } catch (e) {
    if (e instanceof LeaseLostError) {
      o.log(`worker: run ${job.name}: ${e.message}`);
      return { name: job.name, status: 'interrupted', resumedFrom, error: e.message };
    }
    const error = describeError(e);
    await release('failed', error);
    o.log(`worker: run ${job.name} failed: ${error}`);
    return { name: job.name, status: 'failed', resumedFrom, error };
  } finally {
    data?.trainImages.close();
    data?.testImages.close();
  }
}
