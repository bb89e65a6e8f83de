// The training engine end to end through the real CLI on the wasm backend: Debian's Fashion-MNIST,
// an rho = 100 split, a BSCE teacher, a DiVE student, the stored results and the teacher's
// virtual-example distribution; then a run killed mid-way is found interrupted and resumed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { RunInfo, RunSummary, VeSweep, VirtualExamplesInfo } from '../../src-main/core/domain/types';
import { DIVE, dive, tempDir } from '../helpers/cli';

const FAST = ['--model', 'cnn', '--epochs', '3', '--batch', '64', '--lr', '0.01', '--backend', 'wasm', '--seed', '3'];

describe('training through the CLI', () => {
  assert.ok(existsSync('/usr/share/datasets/fashion-mnist'), 'apt-get install dataset-fashion-mnist');
  const t = tempDir();
  const db = join(t.dir, 'dive.sqlite');
  before(() => {
    assert.equal(dive(db, ['import', 'fashion-mnist']).code, 0);
    assert.equal(dive(db, ['split', '--dataset', 'fashion-mnist', '--name', 'lt', '--ratio', '100', '--max-per-class', '500']).code, 0);
  });
  after(() => t.cleanup());

  it('trains a BSCE teacher and a DiVE student and stores consistent results', () => {
    const teacher = dive(db, ['train', '--split', 'lt', '--method', 'bsce', '--name', 'teacher', ...FAST, '--json']);
    assert.equal(teacher.code, 0, teacher.stderr);
    assert.match(teacher.stderr, /epoch 3\/3/);
    const tr = teacher.json() as RunInfo;
    assert.equal(tr.status, 'completed');
    assert.equal(tr.backend, 'wasm');
    assert.equal(tr.epochs.length, 3);

    // on the teacher's seed + 1 (FAST's seed 3 is the teacher's): other initial weights, another batch order
    const student = dive(db, ['train', '--split', 'lt', '--method', 'dive', '--teacher', 'teacher', '--name', 'student', ...FAST, '--seed', '4', '--json']);
    assert.equal(student.code, 0, student.stderr);
    const s = student.json() as RunInfo;
    assert.equal(s.teacher, 'teacher');
    // the student records its teacher and how it was distilled; a BSCE teacher on the same split raises nothing
    assert.deepEqual(
      s.teacherInfo && { name: s.teacherInfo.name, method: s.teacherInfo.method, split: s.teacherInfo.split, top1: s.teacherInfo.top1, tau: s.teacherInfo.tau },
      { name: 'teacher', method: 'bsce', split: 'lt', top1: tr.metrics!.top1, tau: 3 },
    );
    assert.deepEqual(s.warnings, []);
    // 1,236 training and 10,000 test images: the whole test set every 11 epochs would test a 3-epoch
    // run once; it is tested every epoch instead, epochs 1 and 2 on a fixed sample costing a quarter
    // of the training time (0.75 * 3 * 1,236 / 2 = 1,390: 139 of each class), the last on all of it
    assert.deepEqual(s.epochs.map((e) => e.testAcc === null), [false, false, false]);
    assert.deepEqual(s.epochs.map((e) => e.testImages), [1390, 1390, 10000]);
    assert.equal(s.epochs[2].testAcc, s.metrics?.top1);
    assert.deepEqual({ tau: s.config.params.tau, power: s.config.params.power }, { tau: 3, power: 0.5 });
    const m = s.metrics!;
    assert.equal(m.perClass.length, 10);
    // the test set is balanced (1,000 per class): top-1 is the mean of the per-class accuracies
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(Math.abs(m.top1 - mean(m.perClass as number[])) < 1e-9);
    assert.ok(Math.abs(m.many! - mean([0, 1, 2, 3].map((k) => m.perClass[k]!))) < 1e-12);
    assert.ok(Math.abs(m.few! - mean([7, 8, 9].map((k) => m.perClass[k]!))) < 1e-12);
    assert.equal(m.confusion!.flat().reduce((a, b) => a + b, 0), 10_000);
    assert.ok(m.top1 > 0.3, `a DiVE student after 3 epochs should beat chance by far, got ${m.top1}`);

    // the teacher's virtual examples were stored when the student used it: V sums to N = 1,236
    const raw = new Database(db, { readonly: true });
    const rows = raw.prepare('SELECT r.name, v.tau, v.power, v.v FROM virtual_examples v JOIN runs r ON r.id = v.run_id').all() as { name: string; tau: number; power: number; v: string }[];
    raw.close();
    assert.deepEqual(rows.map((r) => [r.name, r.tau, r.power]), [['teacher', 3, 0.5]]);
    const v = JSON.parse(rows[0].v) as number[];
    assert.ok(Math.abs(v.reduce((a, b) => a + b, 0) - 1236) < 1e-6 * 1236);

    const ve = dive(db, ['ve', 'teacher', '--tau', '6', '--power', '1', '--json']);
    assert.equal(ve.code, 0, ve.stderr);
    const info = ve.json() as VirtualExamplesInfo;
    assert.ok(Math.abs(info.v.reduce((a, b) => a + b, 0) - 1236) < 1e-6 * 1236);
    assert.deepEqual(info.counts, [500, 299, 179, 107, 64, 38, 23, 13, 8, 5]);
    assert.ok(info.flatness.fewOverMany! > info.flatness.inputFewOverMany!, 'tempered virtual examples are flatter than the input');

    // the temperature sweep through the CLI: targets flatten as T grows, and a suggestion (or none) comes with its reason
    const sw = dive(db, ['ve', 'teacher', '--sweep', '--power', '0.5', '--json']);
    assert.equal(sw.code, 0, sw.stderr);
    const sweep = sw.json() as VeSweep;
    assert.equal(sweep.run, 'teacher');
    assert.ok(sweep.sweep.length >= 3, 'a grid of temperatures');
    for (let i = 1; i < sweep.sweep.length; i++) {
      assert.ok(sweep.sweep[i].tau > sweep.sweep[i - 1].tau);
      assert.ok(sweep.sweep[i].entropy >= sweep.sweep[i - 1].entropy - 1e-9, 'higher T, flatter targets');
      assert.ok(Math.abs(sweep.sweep[i].effectiveTau - sweep.sweep[i].tau / 0.5) < 1e-9);
    }
    assert.ok(sweep.suggestedTau === null || sweep.sweep.some((p) => p.tau === sweep.suggestedTau));
    assert.ok(sweep.reason.length > 0);
    assert.equal(dive(db, ['ve', 'teacher', '--sweep', '--tau', '3']).code, 1, '--sweep with --tau is refused');

    const cmp = dive(db, ['compare', 'teacher', 'student', '--csv']);
    assert.equal(cmp.code, 0, cmp.stderr);
    assert.match(cmp.stdout.split('\n')[2], /^student,dive,cnn,T=3 p=0.5 alpha=0.5,3,completed,/);
  });

  it('warns of a student on its teacher\'s seed, on stderr and in the run', () => {
    const r = dive(db, ['train', '--split', 'lt', '--method', 'kd', '--teacher', 'teacher', '--name', 'same-seed', '--model', 'mlp', '--epochs', '1', '--backend', 'wasm', '--seed', '3', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const line = 'the student\'s seed 3 is its teacher "teacher"\'s seed: it starts from the teacher\'s initial weights and sees its batches in the same order, so it re-learns its teacher; use another seed (e.g. 4)';
    assert.ok(r.stderr.includes(line), r.stderr);
    assert.ok((r.json() as RunInfo).warnings.includes(line));
  });

    it('refuses a DiVE student without a completed teacher', () => {
    const r = dive(db, ['train', '--split', 'lt', '--method', 'dive', ...FAST]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /teacher/);
  });

  it('marks a killed run interrupted and resumes it to the metrics of an uninterrupted run', async () => {
    const args = ['--db', db, 'train', '--split', 'lt', '--method', 'ce', '--name', 'killed', '--model', 'mlp', '--epochs', '3', '--batch', '64', '--backend', 'wasm', '--seed', '5'];
    const child = spawn(process.execPath, [DIVE, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      // after the first epoch's checkpoint, kill the CLI and its worker at once (no clean shutdown)
      if (/epoch 1\/3/.test(err)) process.kill(-child.pid!, 'SIGKILL');
    });
    await new Promise((r) => child.on('exit', r));
    const runs = dive(db, ['runs', '--json']).json() as RunSummary[];
    const killed = runs.find((r) => r.name === 'killed')!;
    assert.equal(killed.status, 'interrupted');
    assert.ok(killed.epochsDone >= 1);
    assert.deepEqual([killed.epochsTotal, killed.metrics], [3, null], 'the listing: 3 epochs planned, no figures yet');

    const resumed = dive(db, ['resume', 'killed', '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const a = resumed.json() as RunInfo;
    const full = dive(db, ['train', '--split', 'lt', '--method', 'ce', '--name', 'whole', '--model', 'mlp', '--epochs', '3', '--batch', '64', '--backend', 'wasm', '--seed', '5', '--json']);
    assert.equal(full.code, 0, full.stderr);
    const b = full.json() as RunInfo;
    assert.equal(a.status, 'completed');
    // the listing's summary columns, written by the resumed worker, say what the full record says
    const listed = (dive(db, ['runs', '--json']).json() as RunSummary[]).find((r) => r.name === 'killed')!;
    const m = a.metrics!;
    assert.deepEqual(listed.metrics, { top1: m.top1, many: m.many, medium: m.medium, few: m.few, ece: m.ece });
    assert.deepEqual([listed.status, listed.seed, listed.epochsTotal, listed.epochsDone, listed.backend], ['completed', a.config.seed, a.config.epochs, a.epochs.length, a.backend]);
    assert.deepEqual(a.metrics!.perClass, b.metrics!.perClass);
    assert.equal(a.metrics!.top1, b.metrics!.top1);
    assert.deepEqual(a.epochs.map((e) => e.loss), b.epochs.map((e) => e.loss));
    assert.deepEqual(a.warnings, b.warnings);
  });

  it('warns on stderr and in the record when a DiVE teacher is not Balanced Softmax', () => {
    const r = dive(db, ['train', '--split', 'lt', '--method', 'dive', '--teacher', 'whole', '--name', 'ce-taught', '--model', 'mlp', '--epochs', '1', '--batch', '64', '--backend', 'wasm', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^warning: teacher "whole" was trained with ce, not Balanced Softmax \(bsce\)/m);
    const run = r.json() as RunInfo;
    assert.match(run.warnings[0], /^teacher "whole" was trained with ce/);
    assert.equal(run.teacherInfo?.method, 'ce');
  });
});
