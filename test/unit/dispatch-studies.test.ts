// The queue and studies through the dispatcher (what the UI calls): a study queued by runStudy is
// trained by the in-process executor, teacher first; its statistics, the queue view, priorities,
// the lean run listing, validation at the boundary, and deleting the study.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDispatcher, type Dispatcher } from '../../src-main/core/app/dispatch';
import type { ApiEvent, Results } from '../../src-main/core/domain/contract';
import { describeError } from '../../src-main/core/domain/describe-error';
import type { QueueEntry } from '../../src-main/core/domain/study-types';
import { commitDataset } from '../../src-main/core/store/datasets';
import { RecordWriter, Staging } from '../../src-main/core/store/files';
import { tempStore, type TempStore } from '../helpers/fixtures';

const SIZE = 8 * 8;

function addDataset(t: TempStore): void {
  const staging = new Staging(t.store.dataDir);
  const part = (labels: number[], file: string) => {
    const w = new RecordWriter(staging.path(file), SIZE);
    labels.forEach((c) => w.append(new Uint8Array(SIZE).fill(40 * c + 20)));
    return { pixels: w.close(), labels: Int32Array.from(labels) };
  };
  const train = [0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 0, 1, 0];
  commitDataset(t.store, 'toy', staging, {
    format: 'folder', source: { path: '/synthetic' }, imageShape: [8, 8, 1], classNames: ['a', 'b', 'c'],
    train: part(train, 'train.u8'), test: part([0, 1, 2, 0, 1, 2], 'test.u8'),
  });
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 300_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() - start > ms) throw new Error(`timed out: ${JSON.stringify(v).slice(-1500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('queue and studies through the dispatcher', () => {
  let t: TempStore;
  let d: Dispatcher;
  const events: ApiEvent[] = [];
  before(async () => {
    t = tempStore();
    addDataset(t);
    d = createDispatcher(t.store, { frontDoor: 'web', closeGraceMs: 10_000 });
    d.subscribe((e) => events.push(e));
    await d.call('createSplit', { dataset: 'toy', name: 'lt', ratio: 2, maxPerClass: 4 });
  });
  after(async () => {
    await d.close();
    t.cleanup();
  });

  it('validates study requests at the boundary with one line naming the field', async () => {
    const bad = async (args: unknown, re: RegExp) => {
      let msg = '';
      try {
        await d.callRaw('createStudy', args);
      } catch (e) {
        msg = describeError(e);
      }
      assert.match(msg, re);
      assert.doesNotMatch(msg, /\n/);
    };
    await bad({ name: 's', split: 'lt', methods: [] }, /methods: name at least one method/);
    await bad({ name: 's', split: 'nope', methods: ['ce'] }, /no split named "nope"/);
    await bad({ name: 's', split: 'lt', methods: ['ce'], seeds: 0 }, /seeds/);
    await assert.rejects(d.call('setPriority', { name: 'x', priority: 1.5 }), /priority/);
  });

  it('trains a study queued by runStudy, teacher first, and answers its statistics', async () => {
    const cfg = { model: 'mlp', epochs: 1, batchSize: 4, backend: 'cpu', augment: { crop: false, flip: false } };
    const created = (await d.call('createStudy', { name: 'st', split: 'lt', methods: ['ce', 'kd'], seeds: [1, 2], teacher: { shared: true }, config: cfg })) as Results['createStudy'];
    assert.equal(created.planned, 5);
    const queued = (await d.call('runStudy', { name: 'st' })) as Results['runStudy'];
    assert.equal(queued.runs.length, 5);
    const q = (await d.call('listQueue', undefined)) as QueueEntry[];
    assert.ok(q.length >= 1 && q.every((e) => e.study === 'st'));
    const done = await until(
      async () => (await d.call('getStudy', { name: 'st' })) as Results['getStudy'],
      (s) => s.runs.every((r) => r.status === 'completed'),
    );
    // the teacher finished before any student started
    const started = events.filter((e) => e.type === 'started').map((e) => (e.type === 'started' ? e.run : ''));
    assert.equal(started[0], 'st-teacher-s100');
    assert.deepEqual(done.summary.map((s) => [s.group, s.completed]), [['teacher bsce', 1], ['ce', 2], ['kd', 2]]);
    const kdVsCe = done.comparisons.find((c) => c.group === 'kd' && c.baseline === 'ce')!;
    assert.equal(kdVsCe.diff.top1.n, 2);
    assert.equal(kdVsCe.diff.top1.method, 'paired-t');
    assert.deepEqual(done.perClass.map((p) => `${p.group} - ${p.against}`), ['kd - ce', 'kd - teacher']);

    const rows = await d.call('listRuns', { split: 'lt' });
    assert.deepEqual(rows.map((r) => [r.name, r.study, r.seed]), [['st-teacher-s100', 'st', 100], ['st-ce-s1', 'st', 1], ['st-ce-s2', 'st', 2], ['st-kd-s1', 'st', 1], ['st-kd-s2', 'st', 2]]);
    const stats = (await d.call('runStatistics', { names: ['st-ce-s1', 'st-ce-s2', 'st-kd-s1', 'st-kd-s2'] })) as Results['runStatistics'];
    assert.equal(stats.comparisons[0].diff.top1.mean, kdVsCe.diff.top1.mean);
    assert.deepEqual(stats.classNames, done.classNames, 'compare --stats names the classes as study show does');
    const list = (await d.call('listStudies', undefined)) as Results['listStudies'];
    assert.deepEqual(list.map((s) => [s.name, s.completed, s.planned]), [['st', 5, 5]]);
    await assert.rejects(d.call('deleteStudy', { name: 'st' }), /deleting study "st" would also take 5 runs \("st-teacher-s100", "st-ce-s1", "st-ce-s2", "st-kd-s1", "st-kd-s2"\)/);
    const gone = await d.call('deleteStudy', { name: 'st', cascade: true });
    assert.equal(gone.deletedRuns.length, 5);
    assert.deepEqual(await d.call('listRuns', undefined), []);
    assert.deepEqual(await d.call('listStudies', undefined), []);
  });
});
