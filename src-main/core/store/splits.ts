import { parseSplitPreviewRequest, parseSplitRequest, type SplitPreviewRequestInput, type SplitRequestInput } from '../domain/split-schema';
import type { ClassOrder, ClassStats, Groups, Profile, ProgressFn, ShotGroup, SplitInfo, SplitPreview } from '../domain/types';
import { UserError } from '../domain/errors';
import { previewFromCounts } from '../splits/preview';
import { sampleSplit } from '../splits/sample';
import { assertNameFree, datasetPart, getDataset } from './datasets';
import type { Store } from './store';
import { int32FromBlob, int32ToBlob } from './int32-blob';

interface SplitRow {
  id: number;
  name: string;
  dataset_id: number;
  dataset_name: string;
  profile: Profile;
  ratio: number;
  n_max: number;
  seed: number;
  class_order: ClassOrder;
  order_json: string;
  many_threshold: number;
  few_threshold: number;
  total: number;
  stats: string;
  created_at: string;
}

export type { SplitPreview };

/**
 * What `createSplit` would make of this request, from the dataset's stored per-class counts:
 * no label array is read and nothing is written, so the split builder can call it on every
 * slider move. The name is not checked (it may still be blank while the user types).
 */
export function previewSplit(store: Store, input: SplitPreviewRequestInput): SplitPreview {
  const { dataset, name: _name, ...params } = parseSplitPreviewRequest(input);
  const id = store.db.prepare('SELECT id FROM datasets WHERE name = ?').pluck().get(dataset) as number | undefined;
  if (id === undefined) getDataset(store, dataset); // throws the usual "no dataset named" error
  const column = (c: 'train_count' | 'name') => store.db.prepare(`SELECT ${c} FROM classes WHERE dataset_id = ? ORDER BY idx`).pluck().all(id);
  const counts = column('train_count') as number[];
  try {
    return previewFromCounts({ counts }, params);
  } catch (e) {
    // class names only serve the message: read them when there is one
    if (e instanceof UserError) return previewFromCounts({ counts, classNames: column('name') as string[] }, params);
    throw e;
  }
}

/**
 * Builds a split and stores it: checks the request (UserError naming the field), samples each
 * class, then writes the split, its per-class rows and its indices in one transaction, so a
 * failure leaves the database as it was.
 */
export function createSplit(store: Store, input: SplitRequestInput, progress?: ProgressFn): SplitInfo {
  const { dataset, name, ...params } = parseSplitRequest(input);
  assertNameFree(store, 'splits', name);
  const ds = getDataset(store, dataset);
  const plan = previewFromCounts({ counts: ds.train.counts, classNames: ds.classNames }, params);
  const { labels } = datasetPart(store, ds.id, 'train');
  const indices = sampleSplit(labels, plan.counts, plan.seed, progress);
  if (indices.length !== plan.total) throw new Error(`split "${name}": sampled ${indices.length} images, planned ${plan.total}`);

  progress?.({ phase: 'writing', done: 0, total: 1 });
  const db = store.db;
  const groupOf = new Array<ShotGroup>(plan.counts.length);
  for (const g of ['many', 'medium', 'few'] as const) for (const c of plan.groups[g]) groupOf[c] = g;
  let id: number;
  try {
    id = db.transaction(() => {
      const info = db
        .prepare(
          `INSERT INTO splits (name, dataset_id, profile, ratio, n_max, seed, class_order, order_json,
             many_threshold, few_threshold, total, stats)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          name, ds.id, plan.profile, plan.ratio, plan.maxPerClass, plan.seed, plan.classOrder, JSON.stringify(plan.order),
          plan.thresholds.many, plan.thresholds.few, plan.total, JSON.stringify(plan.stats),
        );
      const splitId = Number(info.lastInsertRowid);
      const insClass = db.prepare('INSERT INTO split_classes (split_id, class_idx, count, grp) VALUES (?, ?, ?, ?)');
      plan.counts.forEach((n, c) => insClass.run(splitId, c, n, groupOf[c]));
      db.prepare('INSERT INTO split_samples (split_id, indices) VALUES (?, ?)').run(splitId, int32ToBlob(indices));
      return splitId;
    })();
  } catch (e) {
    // another process took the name between the check and the insert
    if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') assertNameFree(store, 'splits', name);
    throw e;
  }
  progress?.({ phase: 'writing', done: 1, total: 1 });
  return getSplit(store, id);
}

function findRow(store: Store, ref: string | number): SplitRow {
  const sql = `SELECT s.*, d.name AS dataset_name FROM splits s JOIN datasets d ON d.id = s.dataset_id WHERE s.${typeof ref === 'number' ? 'id' : 'name'} = ?`;
  const row = store.db.prepare(sql).get(ref) as SplitRow | undefined;
  if (!row) throw new UserError(typeof ref === 'number' ? `no split with id ${ref}` : `no split named "${ref}" (see \`dive splits\`)`, [{ path: [], message: `no split named "${ref}"` }]);
  return row;
}

function toInfo(store: Store, row: SplitRow): SplitInfo {
  const classes = store.db
    .prepare('SELECT class_idx, count, grp FROM split_classes WHERE split_id = ? ORDER BY class_idx')
    .all(row.id) as { class_idx: number; count: number; grp: ShotGroup }[];
  const groups: Groups = { many: [], medium: [], few: [] };
  for (const c of classes) groups[c.grp].push(c.class_idx);
  return {
    id: row.id,
    name: row.name,
    dataset: row.dataset_name,
    datasetId: row.dataset_id,
    profile: row.profile,
    ratio: row.ratio,
    maxPerClass: row.n_max,
    seed: row.seed,
    classOrder: row.class_order,
    order: JSON.parse(row.order_json) as number[],
    counts: classes.map((c) => c.count),
    total: row.total,
    thresholds: { many: row.many_threshold, few: row.few_threshold },
    groups,
    stats: JSON.parse(row.stats) as ClassStats,
    createdAt: row.created_at,
  };
}

export function getSplit(store: Store, ref: string | number): SplitInfo {
  return toInfo(store, findRow(store, ref));
}

/** All splits, oldest first; only those of one dataset when it is named. */
export function listSplits(store: Store, dataset?: string): SplitInfo[] {
  // what is in the trash is left out (db/013_trash.sql)
  const base = 'SELECT s.*, d.name AS dataset_name FROM splits s JOIN datasets d ON d.id = s.dataset_id WHERE s.trash_id IS NULL';
  const rows = (dataset === undefined
    ? store.db.prepare(`${base} ORDER BY s.id`).all()
    : store.db.prepare(`${base} AND s.dataset_id = ? ORDER BY s.id`).all(getDataset(store, dataset).id)) as SplitRow[];
  return rows.map((r) => toInfo(store, r));
}

/** The split's training indices into its dataset's train part, ascending. */
export function splitIndices(store: Store, ref: string | number): Int32Array {
  const row = findRow(store, ref);
  const s = store.db.prepare('SELECT indices FROM split_samples WHERE split_id = ?').get(row.id) as { indices: Buffer } | undefined;
  if (!s || s.indices.length !== row.total * 4) {
    throw new UserError(`split "${row.name}" has ${s ? s.indices.length / 4 : 'no'} stored indices for ${row.total} images; the database is damaged, recreate the split`);
  }
  return int32FromBlob(s.indices);
}
