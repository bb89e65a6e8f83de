// `npm run bench:estimate`: the Train form's time estimate against the time taken, the way the UI
// gets both. The probe runs in a worker at the run's batch and image size (as the form asks it), the
// estimate is the renderer's own function (src-renderer/lib/estimate.ts), and the run or the study
// is queued and trained through the same dispatcher `dive serve` uses, timed from the call that
// queues it to the end of its last run. Prints said against taken, and where the time went.
//   --model cnn --epochs 5 [--seeds 2] [--keep DIR]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDispatcher } from '../../src-main/core/app/dispatch';
import { parseStudyRequest, planStudy } from '../../src-main/core/domain/study-plan';
import { TEACHER_METHODS, type Method } from '../../src-main/core/domain/method';
import { MODELS, type ModelKind } from '../../src-main/core/domain/run-config';
import { shortRunDefaults } from '../../src-main/core/domain/short-run';
import { openStore } from '../../src-main/core/store/store';
import { backendPlan, runShape, speedsOf, totalEstimate, type RunShape } from '../../src-renderer/lib/estimate';

const { values } = parseArgs({ options: { model: { type: 'string', default: 'cnn' }, epochs: { type: 'string', default: '5' }, seeds: { type: 'string', default: '2' }, keep: { type: 'string' } } });
const model = MODELS.find((m) => m === values.model) as ModelKind;
if (!model) throw new Error(`--model: one of ${MODELS.join(', ')}`);
const epochs = Number(values.epochs);
const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'dive-estimate-'));
const store = openStore({ db: join(dir, 'dive.sqlite'), dataDir: join(dir, 'data') });
const d = createDispatcher(store, { frontDoor: 'web' });
const fmt = (s: number) => `${s.toFixed(1)} s`;

try {
  await d.call('importDataset', { request: { format: 'fashion-mnist' } });
  const split = await d.call('createSplit', { dataset: 'fashion-mnist', name: 'lt100', ratio: 100, maxPerClass: 500 });
  const ds = await d.call('getDataset', { name: 'fashion-mnist' });
  const batchSize = shortRunDefaults(epochs, split.total)?.batchSize ?? 128;
  const probe = await d.call('probeBackends', { model, imageShape: ds.imageShape, batchSize });
  const speeds = speedsOf(probe, backendPlan(probe, ''));
  if (!speeds) throw new Error('the probe timed no backend');
  console.log(`probe: ${probe.chosen}, ${model} at batch ${batchSize}: ${speeds.trainImagesPerSec.toFixed(0)} img/s training, ${speeds.evalImagesPerSec.toFixed(0)} img/s evaluation, ${fmt(speeds.startSeconds)} start-up per run`);
  const shape = (e: number, distils: boolean): RunShape => runShape({ epochs: e, counts: split.counts, testImages: ds.test.total, valFraction: 0, evalEvery: null, distils });

  const report = async (what: string, runs: RunShape[], go: () => Promise<string[]>) => {
    const said = totalEstimate(runs, speeds);
    const t0 = performance.now();
    const load = os.loadavg()[0];
    const names = await go();
    for (const n of names) await d.runEnded(n);
    const taken = (performance.now() - t0) / 1000;
    const infos = await Promise.all(names.map((name) => d.call('getRun', { name })));
    const bad = infos.find((r) => r.status !== 'completed');
    if (bad) throw new Error(`${bad.name} ended ${bad.status}: ${bad.error}`);
    const inEpochs = infos.reduce((s, r) => s + r.epochs.reduce((a, e) => a + e.seconds, 0), 0);
    // a run's own clock: from its worker marking it started to its end, less its epochs
    const around = infos.reduce((s, r) => s + (Date.parse(r.finishedAt!) - Date.parse(r.startedAt!)) / 1000, 0) - inEpochs;
    console.log(`${what}: said ${fmt(said.seconds)} (training ${fmt(said.training)}, evaluation ${fmt(said.evaluation)}, start-up ${fmt(said.startup)}); taken ${fmt(taken)}: ${fmt(inEpochs)} in the runs' epochs (training and evaluation), ${fmt(around)} in the runs around their epochs (data, model, weights), ${fmt(taken - inEpochs - around)} before the runs' workers marked them started (process start, backend); taken / said ${(taken / said.seconds).toFixed(2)} (load average ${load.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end, ${os.availableParallelism()} cores)`);
  };

  await report(`one run (bsce, ${model}, ${epochs} epochs, ${split.total} images)`, [shape(epochs, false)], async () => {
    const r = await d.call('train', { split: 'lt100', name: 'one', config: { method: 'bsce', model, epochs, backend: probe.chosen } });
    return [r.name];
  });

  const seeds = Number(values.seeds);
  const methods: Method[] = ['bsce', 'dive'];
  const req = { name: 'st', split: 'lt100', methods, seeds, config: { model, epochs, backend: probe.chosen } };
  const plan = planStudy('st', parseStudyRequest(req).spec);
  await report(`study (${methods.join(', ')} x ${seeds} seeds: ${plan.length} runs)`, plan.map((p) => shape(epochs, TEACHER_METHODS.includes(p.method))), async () => {
    await d.call('createStudy', req);
    const st = await d.call('runStudy', { name: 'st' });
    return st.runs.map((r) => r.run);
  });
} finally {
  await d.close();
  store.close();
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
