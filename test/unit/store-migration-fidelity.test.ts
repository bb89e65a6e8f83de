// The fidelity migration on a database with runs from before it: epochs keep their figures, test
// accuracy becomes nullable, old configs say they warmed up per epoch and evaluated every epoch.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMigrations, migrate } from '../../src-main/core/store/db';

const root = mkdtempSync(join(tmpdir(), 'dive-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('runs stored before the fidelity migration keep their epochs and record their old schedule', () => {
  const all = loadMigrations();
  const fidelity = all.findIndex((m) => m.name.endsWith('_fidelity.sql'));
  assert.ok(fidelity > 0, 'the fidelity migration ships');
  mkdirSync(join(root, 'a'));
  const db = new Database(join(root, 'a', 'dive.sqlite'));
  migrate(db, all.slice(0, fidelity));
  db.pragma('foreign_keys = OFF');
  db.prepare(`INSERT INTO runs (id, name, split_id, method, model, config, status) VALUES (1, 'old', 1, 'ce', 'cnn', '{"method":"ce","epochs":3}', 'completed')`).run();
  db.prepare('INSERT INTO run_epochs VALUES (1, 1, 2.0, 0.1, 0.4, 0.35, 1.5, 100)').run();
  migrate(db, all);
  assert.deepEqual(db.prepare('SELECT epoch, test_acc, val_acc FROM run_epochs').all(), [{ epoch: 1, test_acc: 0.35, val_acc: null }]);
  const row = db.prepare('SELECT config, warnings, teacher_info FROM runs').get() as { config: string; warnings: string; teacher_info: string | null };
  assert.deepEqual(JSON.parse(row.config), { method: 'ce', epochs: 3, warmupForm: 'epoch', evalEvery: 1, valFraction: 0 });
  assert.equal(row.warnings, '[]');
  assert.equal(row.teacher_info, null);
  db.prepare('INSERT INTO run_epochs (run_id, epoch, loss, lr, train_acc, test_acc, seconds, images_per_second) VALUES (1, 2, 1, 0.1, 0.5, NULL, 1, 1)').run();
  db.close();
});
