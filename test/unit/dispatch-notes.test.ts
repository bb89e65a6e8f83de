// Tags and notes on runs and studies through the dispatcher (what the UI calls): set, replace,
// clear, list by name, refused for a missing target or a bad tag, and gone with the run.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDispatcher, type Dispatcher } from '../../src-main/core/app/dispatch';
import { describeError } from '../../src-main/core/domain/describe-error';
import { parseRunConfig } from '../../src-main/core/domain/run-config';
import { commitDataset } from '../../src-main/core/store/datasets';
import { RecordWriter, Staging } from '../../src-main/core/store/files';
import { insertRun } from '../../src-main/core/store/runs';
import { tempStore, type TempStore } from '../helpers/fixtures';

const SIZE = 4 * 4;

describe('tags and notes through the dispatcher', () => {
  let t: TempStore;
  let d: Dispatcher;
  before(async () => {
    t = tempStore();
    const staging = new Staging(t.store.dataDir);
    const part = (labels: number[], file: string) => {
      const w = new RecordWriter(staging.path(file), SIZE);
      labels.forEach((c) => w.append(new Uint8Array(SIZE).fill(100 * c)));
      return { pixels: w.close(), labels: Int32Array.from(labels) };
    };
    commitDataset(t.store, 'toy', staging, {
      format: 'folder', source: { path: '/synthetic' }, imageShape: [4, 4, 1], classNames: ['a', 'b'],
      train: part([0, 0, 0, 1, 1], 'train.u8'), test: part([0, 1], 'test.u8'),
    });
    d = createDispatcher(t.store, { frontDoor: 'web', queue: 'own' });
    const split = await d.call('createSplit', { dataset: 'toy', name: 'lt', ratio: 1.5, maxPerClass: 3 });
    insertRun(t.store, { name: 'r1', splitId: split.id, teacherId: null, method: 'ce', model: 'mlp', config: parseRunConfig({ method: 'ce', epochs: 1 }) });
    await d.call('createStudy', { name: 'st', split: 'lt', methods: ['ce'], seeds: 1 });
  });
  after(async () => {
    await d.close();
    t.cleanup();
  });

  it('sets tags and a note on a run and a study, and lists them by name', async () => {
    const a = await d.call('annotate', { run: 'r1', tags: ['baseline', 'baseline', 'lr-sweep'], note: '  too short to tell  ' });
    assert.deepEqual(a.tags, ['baseline', 'lr-sweep'], 'duplicates dropped');
    assert.equal(a.note, 'too short to tell');
    await d.call('annotate', { study: 'st', note: 'for the paper' });
    const all = await d.call('listNotes', undefined);
    assert.deepEqual(all.runs.r1.tags, ['baseline', 'lr-sweep']);
    assert.equal(all.studies.st.note, 'for the paper');
    assert.deepEqual(all.studies.st.tags, []);
    // the run itself carries them: `dive run --json` prints getRun, an export writes it as run.json
    const r = await d.call('getRun', { name: 'r1' });
    assert.deepEqual({ tags: r.tags, note: r.note }, { tags: ['baseline', 'lr-sweep'], note: 'too short to tell' });
  });

  it('changes only what the call names, and a run left with neither is dropped from the list', async () => {
    const kept = await d.call('annotate', { run: 'r1', tags: [] });
    assert.equal(kept.note, 'too short to tell', 'the note stays when only the tags change');
    await d.call('annotate', { run: 'r1', note: '' });
    assert.equal((await d.call('listNotes', undefined)).runs.r1, undefined);
    const r = await d.call('getRun', { name: 'r1' });
    assert.deepEqual({ tags: r.tags, note: r.note }, { tags: [], note: '' });
  });

  it('refuses a missing target, both targets, and a tag with a comma, in one line', async () => {
    const msg = async (args: unknown) => {
      try {
        await d.callRaw('annotate', args);
        return '';
      } catch (e) {
        return describeError(e);
      }
    };
    assert.match(await msg({ run: 'nope', note: 'x' }), /no run named "nope"/);
    assert.match(await msg({ run: 'r1', study: 'st', note: 'x' }), /name a run or a study/);
    assert.match(await msg({ run: 'r1', tags: ['a,b'] }), /tags.0: a tag holds no comma/);
  });

  it('a deleted run takes its note into the trash, and a restore brings it back', async () => {
    await d.call('annotate', { run: 'r1', note: 'gone soon' });
    await d.call('cancelRun', { name: 'r1' });
    const plan = await d.call('planDelete', { kind: 'run', name: 'r1' });
    assert.equal(plan.notes, 1);
    const { trashId } = await d.call('deleteRun', { name: 'r1' });
    assert.equal((await d.call('listNotes', undefined)).runs.r1, undefined);
    await d.call('restoreTrash', { id: trashId });
    assert.equal((await d.call('listNotes', undefined)).runs.r1?.note, 'gone soon');
  });
});
