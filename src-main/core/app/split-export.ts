// exportSplit: a saved split as JSON (indices), CSV (class counts) or a "path label" list, the
// one implementation behind `dive split export` and the split page's downloads.
import type { SplitExport, SplitExportFormat } from '../domain/split-schema';
import { UserError } from '../domain/errors';
import { datasetPart, datasetTrainPaths, getDataset } from '../store/datasets';
import { getSplit, splitIndices } from '../store/splits';
import type { Store } from '../store/store';
import { splitCountsCsv, splitJson, splitList, type SplitFacts } from '../splits/export-format';

/** A file name from the split's name: other characters as "_". */
const stem = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 120) || 'split';

export function exportSplit(store: Store, name: string, format: SplitExportFormat): SplitExport {
  const split = getSplit(store, name);
  const ds = getDataset(store, split.datasetId);
  const facts: SplitFacts = { ...split, classNames: ds.classNames };
  const base = { split: split.name, format };
  switch (format) {
    case 'json':
      return { ...base, filename: `${stem(split.name)}-split.json`, contentType: 'application/json', text: splitJson(facts, splitIndices(store, split.id)) };
    case 'csv':
      return { ...base, filename: `${stem(split.name)}-counts.csv`, contentType: 'text/csv', text: splitCountsCsv(facts) };
    case 'list': {
      const paths = datasetTrainPaths(store, ds.id);
      if (!paths) {
        const why = ['folder', 'list', 'inat'].includes(ds.format)
          ? `dataset "${ds.name}" was imported before image paths were kept; re-import it to export a path list`
          : `dataset "${ds.name}" (${ds.format}) holds decoded arrays, not image files, so its images have no paths`;
        throw new UserError(`split "${split.name}": no list: ${why}; --format json gives the split's indices into its training part`);
      }
      const { labels } = datasetPart(store, ds.id, 'train');
      return { ...base, filename: `${stem(split.name)}-train.txt`, contentType: 'text/plain', text: splitList(splitIndices(store, split.id), labels, paths.paths) };
    }
  }
}
