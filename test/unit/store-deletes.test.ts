// Deletes say everything and go to a trash (issue 22, item 1): a delete that takes more than the
// thing named is refused, naming every split, study, run and student, unless cascade; everything it
// takes goes into one trash entry that leaves every listing, frees its names, and comes back whole;
// emptying removes rows and files, with the entries that depend on them.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, it } from 'node:test';
import { createService, type Service } from '../../src-main/core/app/service';
import { TrainRequestSchema, type TrainRequest } from '../../src-main/core/domain/run-requests';
import { commitDataset } from '../../src-main/core/store/datasets';
import { RecordWriter, Staging } from '../../src-main/core/store/files';
import { markStarted, runDir } from '../../src-main/core/store/runs';
import { requeueInterrupted } from '../../src-main/core/store/queue';
import type { Store } from '../../src-main/core/store/store';
import { storeState, tempStore, type TempStore } from '../helpers/fixtures';

let t: TempStore;
let store: Store;
let svc: Service;
const REPORT = { name: 'cpu', device: 'cpu' as const, threads: 1, reasons: [] };

function addDataset(name: string): void {
  const staging = new Staging(store.dataDir);
  const part = (labels: number[], file: string) => {
    const w = new RecordWriter(staging.path(file), 4);
    w.append(new Uint8Array(labels.length * 4));
    return { pixels: w.close(), labels: Int32Array.from(labels) };
  };
  commitDataset(store, name, staging, {
    format: 'folder', source: {}, imageShape: [2, 2, 1], classNames: ['a', 'b', 'c'],
    train: part([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2], 'train.u8'),
    test: part([0, 1, 2], 'test.u8'),
  });
}

const createRun = (req: TrainRequest) => svc.createRun(TrainRequestSchema.parse(req));
const status = (name: string, s: string) => store.db.prepare('UPDATE runs SET status = ? WHERE name = ?').run(s, name);
const live = () => svc.listRuns().map((r) => r.name);
const runFolder = (name: string) => {
  const dir = runDir(store, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'weights.bin'), 'w');
  return dir;
};

beforeEach(() => {
  t = tempStore();
  store = t.store;
  svc = createService(store);
  addDataset('d');
  svc.createSplit({ dataset: 'd', name: 's1', ratio: 4, maxPerClass: 8 });
  svc.createSplit({ dataset: 'd', name: 's2', ratio: 2, maxPerClass: 4 });
  // teacher T on s1; student S on s2 distilled from it; grand-student G on s2 distilled from S
  createRun({ split: 's1', name: 'T', config: { method: 'bsce', model: 'mlp', epochs: 2 } });
  status('T', 'completed');
  createRun({ split: 's2', name: 'S', teacher: 'T', config: { method: 'dive', model: 'mlp', epochs: 2, seed: 1 } });
  status('S', 'completed');
  createRun({ split: 's2', name: 'G', teacher: 'S', config: { method: 'kd', model: 'mlp', epochs: 2, seed: 2 } });
  status('G', 'completed');
});
afterEach(() => t.cleanup());

it('refuses a delete that takes more than the thing named, naming every split, study, run and student; changes nothing', () => {
  svc.createStudy({ name: 'st', split: 's1', methods: ['ce'], seeds: 1, config: { model: 'mlp', epochs: 1 } });
  svc.queueStudy('st');
  status('st-ce-s1', 'completed');
  store.db.prepare(`INSERT INTO run_notes (run_id, tags, note) SELECT id, '["keep"]', 'for the paper' FROM runs WHERE name = 'S'`).run();
  const before = storeState(store);
  assert.throws(() => svc.deleteSplit('s1'), (e: Error & { problems?: unknown }) => {
    assert.equal(e.message, 'deleting split "s1" would also take study "st" and 4 runs ("T", "S", "G", "st-ce-s1"), 2 of them students distilled from its runs ("S", "G"), with the tags and notes of 1; add --cascade to move it all to the trash (`dive trash restore` brings it back), or delete them first');
    assert.deepEqual(e.problems, [{ path: ['cascade'], message: 'deleting split "s1" would also take study "st" and 4 runs ("T", "S", "G", "st-ce-s1"), 2 of them students distilled from its runs ("S", "G"), with the tags and notes of 1' }]);
    return true;
  });
  assert.throws(() => svc.deleteDataset('d'), /^UserError: deleting dataset "d" would also take 2 splits "s1", "s2", study "st" and 4 runs/);
  assert.throws(() => svc.deleteRun('T'), /^UserError: deleting run "T" would also take 2 runs distilled from it \("S", "G"\), with the tags and notes of 1; add --cascade/);
  assert.throws(() => svc.deleteStudy('st'), /^UserError: deleting study "st" would also take run \("st-ce-s1"\)/);
  assert.deepEqual(storeState(store), before);
  assert.deepEqual(live(), ['T', 'S', 'G', 'st-ce-s1']);
  const plan = svc.planDelete('split', 's1');
  assert.deepEqual(
    { ...plan, runs: plan.runs.map((r) => `${r.name}:${r.split}:${r.student}:${r.study ?? ''}`) },
    { kind: 'split', name: 's1', splits: ['s1'], studies: ['st'], runs: ['T:s1:false:', 'S:s2:true:', 'G:s2:true:', 'st-ce-s1:s1:false:st'], notes: 1, queued: [], running: [], studiesLosingRuns: [], needsCascade: true, bytes: 0 },
  );
  assert.equal(svc.planDelete('run', 'G').needsCascade, false, 'a run without students takes nothing else');
});

it('a cascade moves everything into one entry: gone from every listing, names free, files kept; a restore brings it back whole', () => {
  const dirs = ['T', 'S', 'G'].map(runFolder);
  const d = svc.deleteSplit('s1', { cascade: true });
  assert.deepEqual([d.deletedRuns, d.deletedSplits, d.deletedStudies], [['T', 'S', 'G'], [], []]);
  assert.deepEqual(live(), []);
  assert.deepEqual(svc.listSplits().map((s) => s.name), ['s2']);
  assert.throws(() => svc.getRun('T'), /no run named "T"/);
  for (const dir of dirs) assert.ok(existsSync(dir), 'files stay until the trash is emptied');
  const [entry] = svc.listTrash();
  assert.deepEqual({ ...entry, deletedAt: '' }, { id: d.trashId, kind: 'split', name: 's1', deletedAt: '', datasets: [], splits: ['s1'], studies: [], runs: ['T', 'S', 'G'], notes: 0, bytes: 0, needs: [] });
  // the names are free for new things while the old ones wait in the trash
  svc.createSplit({ dataset: 'd', name: 's1', ratio: 2, maxPerClass: 4 });
  createRun({ split: 's1', name: 'T', config: { method: 'ce', model: 'mlp' } });
  assert.throws(() => svc.restoreTrash(d.trashId), (e: Error & { problems?: { path: unknown[] }[] }) => {
    assert.equal(e.message, `cannot restore trash entry ${d.trashId} (split "s1"): a new split is named "s1"; a new run is named "T"; restore with --rename to give what clashes a -restored suffix (\`dive trash restore ${d.trashId} --rename\`), or delete the new ones first`);
    assert.deepEqual(e.problems?.map((p) => p.path), [['rename']]);
    return true;
  });
  const r = svc.restoreTrash(d.trashId, true);
  assert.deepEqual(r.renamed, [{ kind: 'split', from: 's1', to: 's1-restored' }, { kind: 'run', from: 'T', to: 'T-restored' }]);
  assert.deepEqual(live(), ['T-restored', 'S', 'G', 'T']);
  assert.equal(svc.getRun('S').teacher, 'T-restored', 'the student follows its teacher to its new name');
  assert.equal(svc.getRun('T-restored').split, 's1-restored');
  assert.deepEqual(svc.listTrash(), []);
});

it('a restore waits for what it needs: a run whose split, or a student whose teacher, is in another entry', () => {
  const g = svc.deleteRun('G');
  const s = svc.deleteRun('S');
  const split = svc.deleteSplit('s1', { cascade: true });
  assert.deepEqual(svc.listTrash().map((e) => [e.id, e.needs.map((n) => `${n.id}: ${n.why}`)]), [
    [split.trashId, []],
    [s.trashId, [`${split.trashId}: run "S"'s teacher "T"`]],
    [g.trashId, [`${s.trashId}: run "G"'s teacher "S"`]],
  ]);
  const before = storeState(store);
  assert.throws(() => svc.restoreTrash(g.trashId), new RegExp(`^UserError: trash entry ${g.trashId} \\(run "G"\\) needs what trash entry ${s.trashId} holds: run "G"'s teacher "S" is in the trash; restore that first \\(\`dive trash restore ${s.trashId}\`\\)$`));
  assert.deepEqual(storeState(store), before);
  svc.restoreTrash(split.trashId);
  svc.restoreTrash(s.trashId);
  svc.restoreTrash(g.trashId);
  assert.deepEqual(live(), ['T', 'S', 'G']);
});

it('a study run deleted alone leaves its cell to `study run`; restored, it takes its cell back, or with rename comes back outside the study', () => {
  svc.createStudy({ name: 'st', split: 's1', methods: ['ce'], seeds: 2, config: { model: 'mlp', epochs: 1 } });
  svc.queueStudy('st');
  for (const n of ['st-ce-s1', 'st-ce-s2']) status(n, 'completed');
  const plan = svc.planDelete('run', 'st-ce-s1');
  assert.deepEqual([plan.needsCascade, plan.studiesLosingRuns], [false, [{ study: 'st', runs: ['st-ce-s1'] }]]);
  const d = svc.deleteRun('st-ce-s1');
  assert.deepEqual(svc.getStudy('st').runs.map((r) => r.run), ['st-ce-s2']);
  svc.restoreTrash(d.trashId);
  assert.deepEqual(svc.getStudy('st').runs.map((r) => r.run), ['st-ce-s1', 'st-ce-s2'], 'back in its cell');
  const again = svc.deleteRun('st-ce-s1');
  // `study run` trains the cell again: a new run under the same name
  svc.queueStudy('st');
  assert.deepEqual(svc.getStudy('st').runs.map((r) => `${r.run}:${r.status}`), ['st-ce-s1:queued', 'st-ce-s2:completed']);
  assert.throws(() => svc.restoreTrash(again.trashId), /a new run is named "st-ce-s1"; study "st" has trained run "st-ce-s1" in the place of "st-ce-s1"/);
  const r = svc.restoreTrash(again.trashId, true);
  assert.deepEqual(r.detached, [{ run: 'st-ce-s1-restored', study: 'st' }]);
  assert.equal(svc.getRun('st-ce-s1-restored').study, null);
});

it('a running run stops any delete that takes it; a queued one is taken off the queue and comes back cancelled', () => {
  createRun({ split: 's2', name: 'Q', config: { method: 'ce', model: 'mlp' } });
  assert.equal(svc.getRun('Q').status, 'queued');
  const plan = svc.planDelete('split', 's2');
  assert.deepEqual(plan.queued, ['Q']);
  const before = storeState(store);
  status('G', 'queued');
  assert.ok(markStarted(store, store.db.prepare(`SELECT id FROM runs WHERE name = 'G'`).pluck().get() as number, REPORT, process.pid));
  assert.throws(() => svc.deleteSplit('s2', { cascade: true }), /^UserError: split "s2" has a run depending on it that is still running: "G"; cancel it first \(`dive cancel NAME`\)$/);
  assert.throws(() => svc.deleteRun('G'), /^UserError: run "G" is running; cancel it first/);
  assert.deepEqual(storeState(store), before);
  status('G', 'completed');
  const d = svc.deleteRun('Q');
  assert.deepEqual(store.db.prepare('SELECT status, claimed_by FROM runs WHERE trash_id = ?').all(d.trashId), [{ status: 'cancelled', claimed_by: null }]);
  svc.restoreTrash(d.trashId);
  assert.equal(svc.getRun('Q').status, 'cancelled');
  // an interrupted run in the trash is not put back in the queue by an executor's start
  status('Q', 'interrupted');
  const again = svc.deleteRun('Q');
  assert.deepEqual(requeueInterrupted(store), []);
  assert.equal(store.db.prepare('SELECT status FROM runs WHERE trash_id = ?').pluck().get(again.trashId), 'interrupted');
});

it('emptying removes rows and files for good, with the entries whose rows depend on theirs', () => {
  const [tDir, sDir, gDir] = ['T', 'S', 'G'].map(runFolder);
  const g = svc.deleteRun('G');
  const s2 = svc.deleteSplit('s2', { cascade: true });
  assert.deepEqual(s2.deletedRuns, ['S']);
  assert.deepEqual(svc.listTrash().find((e) => e.id === g.trashId)?.needs, [{ id: s2.trashId, why: `run "G"'s split "s2"` }, { id: s2.trashId, why: `run "G"'s teacher "S"` }]);
  // the split's rows would take G's by cascade: G's entry goes with it, and is listed
  const out = svc.emptyTrash([s2.trashId]);
  assert.deepEqual(out.emptied.map((e) => e.id), [s2.trashId, g.trashId]);
  assert.deepEqual(svc.listTrash(), []);
  assert.deepEqual([existsSync(tDir), existsSync(sDir), existsSync(gDir)], [true, false, false]);
  assert.deepEqual(store.db.prepare('SELECT name FROM runs').pluck().all(), ['T']);
  assert.deepEqual(store.db.prepare('SELECT name FROM splits ORDER BY id').pluck().all(), ['s1']);
  assert.deepEqual(svc.emptyTrash(), { emptied: [], bytes: 0 });
  assert.throws(() => svc.emptyTrash([99]), /nothing in the trash has id 99/);
});

it('an emptying that cannot move the files changes nothing (read-only data folder)', () => {
  const dir = runFolder('G');
  const d = svc.deleteRun('G');
  // a file where the staging folder must go makes every move fail, even for root (who ignores modes)
  writeFileSync(join(store.dataDir, 'trash'), '');
  const before = storeState(store);
  assert.throws(() => svc.emptyTrash([d.trashId]), /^UserError: cannot remove \S+\/runs\/\d+-[0-9a-f]{8}: .*; nothing was deleted$/);
  assert.deepEqual(storeState(store), before);
  assert.ok(existsSync(dir));
  assert.deepEqual(svc.listTrash().map((e) => e.runs), [['G']]);
});

it('a stage-1 run is deleted like a teacher: its crt and tau-norm runs are named, go with --cascade, come back whole, and emptying takes their confusion cells', () => {
  createRun({ split: 's1', name: 'C1', config: { method: 'ce', model: 'mlp', epochs: 2 } });
  status('C1', 'completed');
  createRun({ split: 's1', name: 'R', from: 'C1', config: { method: 'crt', epochs: 1 } });
  createRun({ split: 's1', name: 'N', from: 'C1', config: { method: 'tau-norm' } });
  status('R', 'completed');
  status('N', 'completed');
  // sparse confusion cells (run_confusion, db/014) for all three
  store.db.prepare(`INSERT INTO run_confusion (run_id, classes, cells, sha256) SELECT id, 3, zeroblob(12), 'x' FROM runs WHERE name IN ('C1', 'R', 'N')`).run();
  const cells = () => store.db.prepare('SELECT COUNT(*) FROM run_confusion').pluck().get();
  const before = storeState(store);
  assert.throws(() => svc.deleteRun('C1'), /^UserError: deleting run "C1" would also take 2 runs distilled from it \("R", "N"\); add --cascade/);
  assert.deepEqual(storeState(store), before);
  assert.deepEqual(svc.planDelete('run', 'C1').runs.map((r) => [r.name, r.student]), [['C1', false], ['R', true], ['N', true]]);
  const d = svc.deleteRun('C1', { cascade: true });
  assert.deepEqual(d.deletedRuns, ['R', 'N']);
  assert.deepEqual(live(), ['T', 'S', 'G']);
  assert.equal(cells(), 3, 'a trashed run keeps its cells');
  svc.restoreTrash(d.trashId);
  assert.deepEqual(live(), ['T', 'S', 'G', 'C1', 'R', 'N']);
  assert.equal(svc.getRun('R').teacher, 'C1', 'the stage-2 run names its stage-1 run again');
  const again = svc.deleteRun('C1', { cascade: true });
  svc.emptyTrash([again.trashId]);
  assert.deepEqual(store.db.prepare('SELECT name FROM runs ORDER BY id').pluck().all(), ['T', 'S', 'G']);
  assert.equal(cells(), 0, 'the cells go with their runs');
});
