// A training worker: one process per run, owning TF.js. It reads its job from DIVE_WORKER_JOB,
// writes progress, checkpoints and results to the store itself (its own SQLite connection; WAL and
// the busy timeout let the front door read at the same time), and reports events to its parent.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeError, problemsOf } from '../domain/describe-error';
import { addWarning, assertOwnFiles, runFilePath, runRow, getRun, heartbeat, markCompleted, markEnded, markStarted, recordEpoch, runDir } from '../store/runs';
import { attachStore, type Store } from '../store/store';
import { isBusy, retryBusy, setBusyNotice } from '../store/busy';
import { saveVirtualExamples } from '../store/virtual-examples';
import { selectBackend } from '../train/backend';
import { readCheckpoint, readWeights, writeCheckpoint, writeWeights } from '../train/checkpoint';
import { parseRunConfig } from '../domain/run-config';
import { loadSplitData, type SplitData } from '../train/data';
import { loadModel, virtualExamplesOf } from '../train/inference';
import { runMethod } from '../train/run-method';
import { appVersion } from './app-version';
import { processFacts } from './provenance';
import { createModelService } from './model-service';
import { importDataset } from '../data/import';
import type { StorePaths } from '../paths';
import type { WorkerJob, WorkerMessage } from './worker-process';

/** Electron's utilityProcess talks through process.parentPort, a forked child through process.send. */
interface ParentPort {
  postMessage(m: unknown): void;
}
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

let stopRequested = false;
/** the process that started us is gone: nobody will mark the run, so we do, as interrupted */
let parentGone = false;

function send(m: WorkerMessage): void {
  if (parentPort) parentPort.postMessage(m);
  // sending on a closed channel would raise an uncaught 'error' and kill us mid-run
  // (a write that fails with EPIPE goes to the callback instead), and means the parent is gone
  else if (process.connected) process.send?.(m, undefined, {}, (e: Error | null) => e && lostParent());
}

function lostParent(): void {
  parentGone = true;
  stopRequested = true;
}

// The process that started this worker polls the same database and says once that it waits.
setBusyNotice(() => undefined);

// Ctrl-C reaches the whole process group: the parent decides, the worker stops after its batch.
process.on('SIGINT', () => (stopRequested = true));
process.on('SIGTERM', () => (stopRequested = true));
process.on('disconnect', lostParent);
// our stdout is a pipe to the parent's stderr: once the parent is gone, writes fail with EPIPE
process.stdout.on('error', () => undefined);

async function train(job: StorePaths & { runId: number }): Promise<void> {
  const store = attachStore({ dbPath: job.dbPath, dataDir: job.dataDir });
  const run = getRun(store, job.runId);
  let data: SplitData | null = null;
  try {
    const cfg = parseRunConfig(run.config);
    const backend = await selectBackend((cfg.backend ?? undefined) as Parameters<typeof selectBackend>[0], {
      threads: cfg.threads ?? undefined,
      allowSoftwareAdapter: cfg.allowSoftwareAdapter || undefined,
    });
    // the report keeps the workbench version that trained the run, shown with its configuration
    // where this attempt runs goes into the run's provenance with the start itself
    const attempt = { executor: 'local' as const, ...processFacts(), worker: null, token: null, backend: backend.name };
    if (!(await retryBusy(() => markStarted(store, run.id, { ...backend, appVersion: appVersion() }, process.pid, attempt)))) return;
    // a run of an older store that shares its folder would resume from another run's checkpoint
    assertOwnFiles(store, run.id);
    const checkpointPath = runFilePath(store, run.id, 'checkpoint');
    const resume = run.epochsDone > 0 && checkpointPath ? readCheckpoint(checkpointPath) : undefined;
    send({ type: 'started', run: run.name, backend, epochs: cfg.epochs, resumedFrom: resume?.epochsDone ?? 0 });
    data = await loadSplitData(store, run.splitId);
    const teacherRow = run.teacher ? runRow(store, run.teacher) : null;
    const teacher = teacherRow ? loadModel(runFilePath(store, teacherRow.id, 'weights')!) : undefined;
    // --init-weights: the tensors the run starts from (a resumed run has them in its checkpoint)
    const initPath = resume ? null : runFilePath(store, run.id, 'init');
    const init = initPath ? readWeights(initPath).weights : undefined;
    const dir = runDir(store, run.id);
    mkdirSync(dir, { recursive: true });

    let cancelled = false;
    let lastBeat = 0;
    let lastSent = 0;
    const result = await runMethod({
      config: cfg,
      data,
      init,
      // the teacher of kd / dive, or the stage-1 model of crt, lws, tau-norm and logit-adjust
      from: teacher,
      // the teacher sees the input as it was trained: its own split's normalisation
      teacherNormalization: teacher ? { mean: teacher.meta.mean, std: teacher.meta.std } : undefined,
      resume,
      keepTestLogits: false,
      hooks: {
        onBatch: (p) => {
          const now = Date.now();
          if (now - lastBeat > 1000) {
            // a beat the busy database refuses is skipped: the next one comes a second later
            try {
              cancelled = heartbeat(store, run.id);
            } catch (e) {
              if (!isBusy(e)) throw e;
            }
            lastBeat = now;
          }
          if (now - lastSent > 200 || p.batch === p.batches) {
            send({ type: 'batch', run: run.name, ...p });
            lastSent = now;
          }
        },
        onEpoch: async (record, checkpoint) => {
          const file = writeCheckpoint(join(dir, 'checkpoint.bin'), checkpoint);
          // a busy database is waited for: the epoch counts once it is committed
          await retryBusy(() => recordEpoch(store, run.id, record, file));
          send({ type: 'epoch', run: run.name, record, epochs: cfg.epochs });
        },
        onWarning: async (w) => {
          await retryBusy(() => addWarning(store, run.id, w));
          send({ type: 'warning', run: run.name, warning: w });
        },
        shouldStop: () => stopRequested || cancelled,
      },
    });

    if (result.status === 'stopped') {
      if (parentGone && !cancelled) await retryBusy(() => markEnded(store, run.id, 'interrupted', `the command that started it exited; resume it with \`dive resume ${run.name}\``));
      else await retryBusy(() => markEnded(store, run.id, 'cancelled'));
      send({ type: 'finished', run: run.name, status: parentGone && !cancelled ? 'interrupted' : 'cancelled' });
      return;
    }
    const weights = writeWeights(join(dir, 'weights.bin'), { model: cfg.model, imageShape: data.imageShape, numClasses: data.numClasses, normHead: cfg.normHead, ...result.normalization, steps: result.steps }, result.weights);
    // training throughput (forward, backward, update), the evaluation passes left out
    const n = result.trainCounts.reduce((a, b) => a + b, 0);
    const seconds = result.records.reduce((s, r) => s + n / r.imagesPerSec, 0);
    const images = n * result.records.length;
    await retryBusy(() =>
      markCompleted(store, run.id, {
        metrics: result.final,
        // a post-hoc run trains no epoch: no training speed
        imagesPerSecond: result.records.length ? images / Math.max(seconds, 1e-9) : null,
        weights,
      }),
    );
    // DiVE's teacher: store the virtual-example distribution the student was distilled from.
    if (teacher && teacherRow && cfg.method === 'dive') {
      const ve = await virtualExamplesOf(teacherRow.name, teacher, data, cfg.params.tau, cfg.params.power);
      await retryBusy(() => saveVirtualExamples(store, teacherRow.id, ve));
    }
    send({ type: 'finished', run: run.name, status: 'completed' });
  } catch (e) {
    const message = describeError(e);
    await retryBusy(() => markEnded(store, run.id, 'failed', message));
    send({ type: 'finished', run: run.name, status: 'failed', error: message });
  } finally {
    data?.close();
    store.close();
  }
}

/** A one-shot task's work; its result goes to the parent. */
async function doTask(store: Store, job: WorkerJob): Promise<unknown> {
  if (job.kind === 've') {
    return await createModelService(store).virtualExamples({ run: job.run, tau: job.tau, power: job.power });
  } else if (job.kind === 've-sweep') {
    return await createModelService(store).virtualExampleSweep({ run: job.run, power: job.power, taus: job.taus });
  } else if (job.kind === 'predictions') {
    return await createModelService(store).testPredictions(job.run);
  } else if (job.kind === 'import') {
    let last = 0;
    return await importDataset(store, job.request, (progress) => {
      // at most ~10 messages a second, but always the end of each phase
      const now = Date.now();
      if (now - last > 100 || progress.done === progress.total) {
        last = now;
        send({ type: 'progress', progress });
      }
    }, { readRoots: job.readRoots });
  } else if (job.kind === 'predict') {
    const { predictImages } = await import('./predict-service');
    return await predictImages(store, job.run, job.inputs, job.top, job.errors);
  } else if (job.kind === 'import-run') {
    const [{ importRun }, { ReadRoots }] = await Promise.all([import('./run-import'), import('../data/read-roots')]);
    return await importRun(store, job.request, job.readRoots ? new ReadRoots(job.readRoots) : undefined);
  } else if (job.kind === 'backends') {
    const { probeBackends } = await import('../train/probe');
    return await probeBackends(job.options);
  } else {
    throw new Error(`unknown worker task ${(job as { kind: string }).kind}`);
  }
}

/** A one-shot task: its result or its one-line error goes to the parent. */
async function task(job: WorkerJob): Promise<void> {
  const store = attachStore({ dbPath: job.dbPath, dataDir: job.dataDir });
  try {
    // a task the busy database refuses (its write found the lock held past the busy timeout) is run
    // again: every task's writes are one transaction that changed nothing when it failed
    const result: unknown = await retryBusy(() => doTask(store, job));
    send({ type: 'result', result });
  } catch (e) {
    // the problems go too: a form shows them under their fields (an import's path, say)
    send({ type: 'error', error: describeError(e), problems: problemsOf(e) });
  } finally {
    store.close();
  }
}

const job = JSON.parse(process.env.DIVE_WORKER_JOB ?? 'null') as WorkerJob | null;
if (!job) {
  process.stderr.write('worker: DIVE_WORKER_JOB is not set\n');
  process.exit(2);
}
try {
  if (job.kind === 'train' || job.kind === undefined) await train(job as StorePaths & { runId: number });
  else await task(job);
} catch (e) {
  // e.g. its run was deleted before the worker opened it: one line, never a stack trace
  process.stderr.write(`dive worker: ${describeError(e, job.dbPath)}\n`);
  process.exitCode = 1;
}
process.disconnect?.();
// a utility process stays alive while its parent port is open; the delay lets the last message out
if (parentPort) setTimeout(() => process.exit(0), 100).unref();
