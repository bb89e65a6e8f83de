// The same limits everywhere, checked before a run row exists (issue 13, item 8).
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeError } from '../../src-main/core/domain/describe-error';
import { createService, type Service } from '../../src-main/core/app/service';
import { TrainRequestSchema, type TrainRequest } from '../../src-main/core/domain/run-requests';
import { assertNameFree, commitDataset } from '../../src-main/core/store/datasets';
import { RecordWriter, Staging } from '../../src-main/core/store/files';
import { tempStore, type TempStore } from '../helpers/fixtures';

let t: TempStore;
let svc: Service;
// the dispatcher parses a request before the handler sees it; so do these tests
const createRun = (req: TrainRequest) => svc.createRun(TrainRequestSchema.parse(req));
const says = (re: RegExp) => (e: unknown) => re.test(describeError(e));
const runCount = () => t.store.db.prepare('SELECT COUNT(*) FROM runs').pluck().get();

before(() => {
  t = tempStore();
  svc = createService(t.store);
  const staging = new Staging(t.store.dataDir);
  const part = (labels: number[], file: string) => {
    const w = new RecordWriter(staging.path(file), 4);
    w.append(new Uint8Array(labels.length * 4));
    return { pixels: w.close(), labels: Int32Array.from(labels) };
  };
  commitDataset(t.store, 'd', staging, { format: 'folder', source: {}, imageShape: [2, 2, 1], classNames: ['a', 'b'], train: part([0, 0, 1], 'tr.u8'), test: part([0, 1], 'te.u8') });
  svc.createSplit({ dataset: 'd', name: 's', ratio: 2, maxPerClass: 2 });
});
after(() => t.cleanup());

it('refuses a DiVE power above 1 at train time, as `dive ve` does', () => {
  assert.throws(() => createRun({ split: 's', config: { method: 'bsce', params: { power: 5 } } }), says(/^config\.params\.power: must be <= 1$/));
  assert.equal(runCount(), 0);
});

it('refuses an unknown backend before the run row exists, from the request or DIVE_BACKEND', () => {
  assert.throws(() => createRun({ split: 's', config: { method: 'ce', backend: 'tpu' as never } }), says(/^config\.backend: must be one of tensorflow-gpu, tensorflow, wasm, cpu$/));
  process.env.DIVE_BACKEND = 'tpu';
  try {
    assert.throws(() => createRun({ split: 's', config: { method: 'ce' } }), /DIVE_BACKEND=tpu is not a backend/);
  } finally {
    delete process.env.DIVE_BACKEND;
  }
  assert.equal(runCount(), 0);
});

it('limits run names to 200 characters like dataset and split names', () => {
  assert.throws(() => createRun({ split: 's', name: 'r'.repeat(201), config: { method: 'ce' } }), (e) => describeError(e) === 'name: must be at most 200 characters');
  assert.throws(() => svc.createSplit({ dataset: 'd', name: 's'.repeat(201), ratio: 2 }), /at most 200 characters/);
  assert.throws(() => assertNameFree(t.store, 'runs', 'x'.repeat(201)), /name is 201 characters long; at most 200 are allowed/);
  assert.equal(runCount(), 0);
  assert.equal(createRun({ split: 's', name: 'r'.repeat(200), config: { method: 'ce' } }).name.length, 200);
});
