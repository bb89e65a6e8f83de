// A store with one tiny dataset (2x2 gray images, classes a and b) and a split "s" over it, for
// the queue, lease and worker-API tests: enough rows for runs, no training.
import { createService, type Service } from '../../src-main/core/app/service';
import { TrainRequestSchema } from '../../src-main/core/domain/run-requests';
import { commitDataset } from '../../src-main/core/store/datasets';
import { RecordWriter, Staging } from '../../src-main/core/store/files';
import { tempStore, type TempStore } from './fixtures';

export interface TinyStore extends TempStore {
  svc: Service;
  /** queues a ce run of the mlp on split s; its id */
  run(name: string, epochs?: number): number;
}

export function tinyStore(): TinyStore {
  const t = tempStore();
  const svc = createService(t.store);
  const staging = new Staging(t.store.dataDir);
  const part = (labels: number[], file: string, fill: number) => {
    const w = new RecordWriter(staging.path(file), 4);
    w.append(new Uint8Array(labels.length * 4).fill(fill));
    return { pixels: w.close(), labels: Int32Array.from(labels) };
  };
  commitDataset(t.store, 'd', staging, {
    format: 'folder', source: {}, imageShape: [2, 2, 1], classNames: ['a', 'b'],
    train: part([0, 0, 0, 1], 'train.u8', 7), test: part([0, 1], 'test.u8', 9),
  });
  svc.createSplit({ dataset: 'd', name: 's', ratio: 3, maxPerClass: 3 });
  const run = (name: string, epochs = 2) => svc.createRun(TrainRequestSchema.parse({ split: 's', name, config: { method: 'ce', model: 'mlp', epochs } })).id;
  return { ...t, svc, run };
}
