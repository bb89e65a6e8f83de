// The persistent queue: claim order (priority, then age), one concurrency limit for every
// executor, teachers before students, claims of dead executors released, interrupted runs put
// back; and the queue runner driving an executor (a fake one here: no training).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { createService, type Service } from '../../src-main/core/app/service';
import { TrainRequestSchema } from '../../src-main/core/domain/run-requests';
import { parseRunConfig } from '../../src-main/core/domain/run-config';
import type { RunInfo } from '../../src-main/core/domain/types';
import type { Executor } from '../../src-main/core/app/executor';
import { defaultSlots } from '../../src-main/core/app/executor';
import { startQueueRunner } from '../../src-main/core/app/queue-runner';
import { commitDataset } from '../../src-main/core/store/datasets';
import { RecordWriter, Staging } from '../../src-main/core/store/files';
import { claimNext, inFlight, pendingCount, queueView, releaseDeadClaims, requeueInterrupted, setPriority } from '../../src-main/core/store/queue';
import { getRun, insertRun, markEnded, markStarted } from '../../src-main/core/store/runs';
import type { Store } from '../../src-main/core/store/store';
import { tempStore, type TempStore } from '../helpers/fixtures';

let t: TempStore;
let store: Store;
let svc: Service;
const REPORT = { name: 'cpu', device: 'cpu' as const, threads: 1, reasons: [] };
const DEAD_PID = 2 ** 22 + 12345; // above Linux's pid_max: no such process

beforeEach(() => {
  t = tempStore();
  store = t.store;
  svc = createService(store);
  const staging = new Staging(store.dataDir);
  const part = (labels: number[], file: string) => {
    const w = new RecordWriter(staging.path(file), 4);
    w.append(new Uint8Array(labels.length * 4));
    return { pixels: w.close(), labels: Int32Array.from(labels) };
  };
  commitDataset(store, 'd', staging, {
    format: 'folder', source: {}, imageShape: [2, 2, 1], classNames: ['a', 'b'],
    train: part([0, 0, 0, 1], 'train.u8'), test: part([0, 1], 'test.u8'),
  });
  svc.createSplit({ dataset: 'd', name: 's', ratio: 3, maxPerClass: 3 });
});
afterEach(() => t.cleanup());

const run = (name: string) => svc.createRun(TrainRequestSchema.parse({ split: 's', name, config: { method: 'ce', model: 'mlp', epochs: 1 } })).id;
const complete = (id: number) => store.db.prepare(`UPDATE runs SET status = 'completed' WHERE id = ?`).run(id);

it('claims by priority, then oldest first, within one limit shared by all executors', () => {
  const a = run('a');
  const b = run('b');
  const c = run('c');
  setPriority(store, 'c', 5);
  assert.deepEqual(queueView(store).map((e) => [e.position, e.name]), [[1, 'c'], [2, 'a'], [3, 'b']]);
  assert.equal(claimNext(store, process.pid, 2), c);
  assert.equal(claimNext(store, 4242, 2), a); // another executor process: same queue, same limit
  assert.equal(inFlight(store), 2);
  assert.equal(claimNext(store, process.pid, 2), null, 'limit of 2 reached');
  markStarted(store, c, REPORT, process.pid);
  complete(c);
  assert.equal(claimNext(store, process.pid, 2), b);
  assert.throws(() => setPriority(store, 'c', 1), /is completed; only a queued run/);
  // `only` restricts a narrow executor (dive train) to its own run
  const d = run('d');
  complete(a);
  complete(b);
  assert.equal(claimNext(store, process.pid, 1, [999]), null);
  assert.equal(claimNext(store, process.pid, 1, [d]), d);
});

it('holds a student until its teacher has completed, and counts what can still start', () => {
  const teacher = run('teacher');
  const student = insertRun(store, { name: 'student', splitId: 1, teacherId: teacher, method: 'dive', model: 'mlp', config: parseRunConfig({ method: 'dive' }) });
  assert.equal(queueView(store).find((e) => e.name === 'student')!.blockedBy, 'teacher teacher is queued');
  assert.equal(claimNext(store, process.pid, 5), teacher);
  assert.equal(claimNext(store, process.pid, 5), null, 'the student waits');
  assert.equal(pendingCount(store), 2);
  markStarted(store, teacher, REPORT, process.pid);
  markEnded(store, teacher, 'failed', 'boom');
  // a failed teacher: the student can never start, so it no longer counts as pending
  assert.equal(pendingCount(store), 0);
  assert.equal(queueView(store)[0].blockedBy, 'teacher teacher is failed');
  store.db.prepare(`UPDATE runs SET status = 'completed' WHERE id = ?`).run(teacher);
  assert.equal(claimNext(store, process.pid, 5), student);
});

it('releases claims of dead executors and requeues interrupted runs with their checkpoints', () => {
  const a = run('a');
  const b = run('b');
  assert.equal(claimNext(store, DEAD_PID, 5), a);
  assert.equal(releaseDeadClaims(store), 1);
  assert.equal(claimNext(store, process.pid, 5), a, 'claimable again');
  markStarted(store, b, REPORT, DEAD_PID);
  store.db.prepare(`UPDATE runs SET status = 'interrupted', epochs_done = 3 WHERE id = ?`).run(b);
  assert.deepEqual(requeueInterrupted(store), [b]);
  const back = getRun(store, b);
  assert.equal(back.status, 'queued');
  assert.equal(back.epochsDone, 3, 'the worker resumes after epoch 3');
});

it('the queue runner launches runs one at a time by default and goes idle when nothing can start', async () => {
  assert.equal(defaultSlots({}), 1);
  assert.equal(defaultSlots({ DIVE_CONCURRENCY: '3' }), 3);
  assert.throws(() => defaultSlots({ DIVE_CONCURRENCY: '0' }), /DIVE_CONCURRENCY/);
  const ids = [run('a'), run('b'), run('c')];
  setPriority(store, 'c', 1);
  const order: string[] = [];
  let concurrent = 0;
  let most = 0;
  const fake: Executor = {
    kind: 'fake',
    slots: 1,
    launch(runId) {
      const r = getRun(store, runId);
      order.push(r.name);
      markStarted(store, runId, REPORT, process.pid);
      most = Math.max(most, ++concurrent);
      const done = new Promise<RunInfo>((resolve) =>
        setTimeout(() => {
          complete(runId);
          concurrent--;
          resolve(getRun(store, runId));
        }, 20),
      );
      return { runId, done, cancel: () => {}, kill: () => {} };
    },
  };
  const ended: string[] = [];
  const runner = startQueueRunner({ store, executor: fake, onRunEnded: (r) => ended.push(`${r.name}:${r.status}`), pollMs: 50 });
  await runner.idle();
  await runner.stop({ cancel: false });
  assert.deepEqual(order, ['c', 'a', 'b']);
  assert.equal(most, 1);
  assert.deepEqual(ended, ['c:completed', 'a:completed', 'b:completed']);
  assert.ok(ids.every((id) => getRun(store, id).status === 'completed'));
});
