// `dive backends`: which compute rungs work on this machine now, what each one runs on, and how
// fast a few training steps of a model are on each. Every rung is loaded by selectBackend (so the
// reasons are the ones a run would get) and timed through trainRun (so the step is the real one:
// forward, backward, SGD update, with batch assembly and augmentation) on synthetic images.
import os from 'node:os';
import { Rng } from '../rng';
import { PROBE_DEFAULTS, type ProbeOptions as ParsedProbeOptions } from '../domain/run-requests';
import { parseRunConfig, type ImageShape, type ModelKind } from '../domain/run-config';
import type { BackendsProbe, RungProbe } from '../domain/types';
import { BACKENDS, selectBackend } from './backend';
import { normalizationTable } from './augment';
import { BatchAssembler } from './batches';
import { trainRun, type TrainData } from './loop';
import { predictLogits } from './evaluation';
import { createModel } from './models';

/** The probe's request (domain/run-requests.ts); left-out fields take PROBE_DEFAULTS. */
export type ProbeOptions = Partial<ParsedProbeOptions>;

export type { BackendsProbe, RungProbe };

const PROBE_CLASSES = 10;
/** the loop's test-pass batch (loop.ts evalBatchSize's default) */
const EVAL_BATCH = 256;

/** Random images, labels cycling over PROBE_CLASSES classes: enough for trainRun to time steps. */
export function syntheticData(n: number, shape: ImageShape, seed = 1): TrainData {
  const rng = new Rng(seed);
  const size = shape[0] * shape[1] * shape[2];
  const images = (count: number) => Uint8Array.from({ length: count * size }, () => rng.int(0, 255));
  const labels = (count: number) => Int32Array.from({ length: count }, (_, i) => i % PROBE_CLASSES);
  const trainLabels = labels(n);
  const classCounts = Array.from({ length: PROBE_CLASSES }, (_, k) => trainLabels.filter((y) => y === k).length);
  return {
    trainImages: images(n),
    trainLabels,
    testImages: images(PROBE_CLASSES),
    testLabels: labels(PROBE_CLASSES),
    imageShape: shape,
    numClasses: PROBE_CLASSES,
    classCounts,
    groups: { many: [0, 1, 2], medium: [3, 4, 5, 6], few: [7, 8, 9] },
  };
}

/** Training images/s of a few steps of `model` on the current backend (the first step untimed). */
export async function timeSteps(model: ModelKind, shape: ImageShape, batchSize: number, steps: number, budgetSeconds: number): Promise<{ imagesPerSec: number; timedSteps: number; includesWarmup: boolean; warmupSeconds: number }> {
  const config = parseRunConfig({ method: 'ce', model, epochs: 1, batchSize, lr: 0.01, milestones: [], warmupEpochs: 0 });
  const data = syntheticData(batchSize * (steps + 1), shape);
  let start = performance.now();
  const began = start;
  let warmupSeconds = 0;
  let timed = 0;
  let warmupOnly = false;
  let stop = false;
  await trainRun({
    config,
    data,
    hooks: {
      onBatch: (p) => {
        // onBatch runs after each step's loss is read back, so the GPU work is done
        const now = performance.now();
        if (p.batch === 1) {
          // model building and the first step's kernel compilation: what a run pays once, before its first epoch
          warmupSeconds = (now - began) / 1000;
          // a backend so slow that the warm-up step alone spends the budget is timed on that step
          if ((now - start) / 1000 > budgetSeconds) [warmupOnly, stop] = [true, true];
          else start = now;
        } else timed = p.batch - 1;
        if (timed > 0 && (now - start) / 1000 > budgetSeconds) stop = true;
      },
      shouldStop: () => stop || timed >= steps,
    },
  });
  const seconds = (performance.now() - start) / 1000;
  if (warmupOnly) return { imagesPerSec: batchSize / seconds, timedSteps: 1, includesWarmup: true, warmupSeconds };
  return { imagesPerSec: timed > 0 ? (timed * batchSize) / seconds : 0, timedSteps: timed, includesWarmup: false, warmupSeconds };
}

/**
 * Evaluation images/s of `model` (eval mode, forward only, batches of `batchSize` as the loop's
 * test pass): one batch untimed (kernel compilation), then batches until `batches` or the budget.
 */
export async function timeEval(model: ModelKind, shape: ImageShape, batchSize: number, batches: number, budgetSeconds: number): Promise<number> {
  const data = syntheticData(batchSize, shape);
  const net = createModel({ kind: model, imageShape: shape, numClasses: data.numClasses, normHead: false }, new Rng(1));
  const lut = normalizationTable({ mean: new Array<number>(shape[2]).fill(0.5), std: new Array<number>(shape[2]).fill(0.25) });
  const assembler = new BatchAssembler(data.trainImages, data.trainLabels, shape, lut, batchSize);
  try {
    await predictLogits(net, assembler, batchSize);
    const start = performance.now();
    let done = 0;
    while (done < batches && (done === 0 || (performance.now() - start) / 1000 < budgetSeconds)) {
      await predictLogits(net, assembler, batchSize);
      done++;
    }
    return (done * batchSize) / ((performance.now() - start) / 1000);
  } finally {
    net.dispose();
  }
}

/** Probes every rung in BACKENDS order; the first available one is what a run would choose. */
export async function probeBackends(opts: ProbeOptions = {}): Promise<BackendsProbe> {
  const model = opts.model ?? PROBE_DEFAULTS.model;
  const imageShape = opts.imageShape ?? PROBE_DEFAULTS.imageShape;
  const batchSize = opts.batchSize ?? PROBE_DEFAULTS.batchSize;
  // what a worker spends before it can load a backend (process start, modules): a run pays it too
  const startSeconds = process.uptime();
  const rungs: RungProbe[] = [];
  for (const name of BACKENDS) {
    try {
      const t0 = performance.now();
      const r = await selectBackend(name, { threads: opts.threads, allowSoftwareAdapter: opts.allowSoftwareAdapter });
      const rung: RungProbe = { name, available: true, device: r.device, detail: r.detail, threads: r.threads, adapter: r.adapter, loadSeconds: (performance.now() - t0) / 1000 };
      if (!opts.noTiming) {
        const budget = opts.budgetSeconds ?? PROBE_DEFAULTS.budgetSeconds;
        Object.assign(rung, await timeSteps(model, imageShape, batchSize, opts.steps ?? PROBE_DEFAULTS.steps, budget));
        rung.evalImagesPerSec = await timeEval(model, imageShape, EVAL_BATCH, 3, budget);
      }
      rungs.push(rung);
    } catch (e) {
      const m = e instanceof Error ? e.message : String(e);
      // selectBackend's "backend 'x' was requested but cannot be used: <why>" -> <why>
      rungs.push({ name, available: false, reason: m.replace(/^backend '[^']+' was requested but cannot be used: /, '') });
    }
  }
  return { chosen: rungs.find((r) => r.available)?.name ?? null, logicalCores: os.availableParallelism(), model, imageShape, batchSize, rungs, startSeconds };
}
