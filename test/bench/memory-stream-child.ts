// One run of the memory bench's stream case, in its own process so its peak RSS is its own:
// the worker's data path (loadSplitData: the split read batch by batch from the pixel file, the
// test set streamed) or, for comparison, the path before issue 25 (both pixel files read whole and
// the split gathered into one buffer). Prints one JSON line.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseRunConfig } from '../../src-main/core/domain/run-config';
import { selectBackend, type BackendName } from '../../src-main/core/train/backend';
import { loadSplitData } from '../../src-main/core/train/data';
import { trainRun, type AnyTrainData } from '../../src-main/core/train/loop';
import { datasetPart, getDataset } from '../../src-main/core/store/datasets';
import { getSplit, splitIndices } from '../../src-main/core/store/splits';
import { openStore } from '../../src-main/core/store/store';

const { values } = parseArgs({ options: { db: { type: 'string' }, data: { type: 'string' }, split: { type: 'string' }, mode: { type: 'string' }, model: { type: 'string' }, epochs: { type: 'string' }, batch: { type: 'string' }, backend: { type: 'string' } } });
const store = openStore({ db: values.db!, dataDir: values.data! });
await selectBackend(values.backend as BackendName);
const split = getSplit(store, values.split!);
let data: AnyTrainData;
if (values.mode === 'gather') {
  const ds = getDataset(store, split.datasetId);
  const img = ds.imageShape[0] * ds.imageShape[1] * ds.imageShape[2];
  const train = datasetPart(store, ds.id, 'train');
  const test = datasetPart(store, ds.id, 'test');
  const idx = splitIndices(store, split.id);
  const all = readFileSync(train.pixelsPath);
  const images = new Uint8Array(idx.length * img);
  const labels = new Int32Array(idx.length);
  idx.forEach((i, k) => (images.set(all.subarray(i * img, (i + 1) * img), k * img), (labels[k] = train.labels[i])));
  const t = readFileSync(test.pixelsPath);
  data = { trainImages: images, trainLabels: labels, testImages: new Uint8Array(t.buffer, t.byteOffset, t.byteLength), testLabels: test.labels, imageShape: ds.imageShape, numClasses: ds.numClasses, classCounts: split.counts, groups: split.groups };
} else {
  data = await loadSplitData(store, split.id);
}
const config = parseRunConfig({ method: 'ce', model: values.model, epochs: Number(values.epochs), batchSize: Number(values.batch), seed: 0, augment: { crop: false, flip: false } });
const t0 = performance.now();
const r = await trainRun({ config, data, keepTestLogits: false });
if (r.status !== 'completed') throw new Error(`the run ended ${r.status}`);
process.stdout.write(`${JSON.stringify({ peakRssMb: process.resourceUsage().maxRSS / 1024, seconds: (performance.now() - t0) / 1000, top1: r.final.top1 })}\n`);
store.close();
