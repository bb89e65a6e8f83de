// The label each form shows for each field of each call it sends, keyed by the field's path in
// the call's argument (lib/problems.ts pathKey). A problem the core names by path is shown under
// that input, or in the summary line as "Label: problem", never as `request.trainImages`.
// test/unit/field-labels.test.ts walks the domain schemas and fails on a field without a label here.
import type { CallName } from '../../src-main/core/domain/contract';
import { IMPORT_FORMATS } from './import-forms';
import { PARAM_LABEL } from './train-form';

const importFields: Record<string, string> = {
  'request.format': 'Format',
  'request.name': 'Name',
  'request.download': 'Download',
  'request.mirror': 'Mirror address',
  'request.timeoutSeconds': 'Download timeout (s)',
  'request.seed': 'Hold-out seed',
  'request.allowEmptyClasses': 'Allow classes without training images',
  'request.dir': 'Folder',
  job: 'Import job',
};
for (const f of IMPORT_FORMATS) for (const field of f.fields) importFields[`request.${field.key}`] ??= field.label;

/** The run settings, as the Train screen labels them (a run's and a study's shared `config`). */
const config: Record<string, string> = {
  method: 'Method', model: 'Model', epochs: 'Epochs', batchSize: 'Batch size', lr: 'Learning rate', momentum: 'Momentum', weightDecay: 'Weight decay',
  warmupEpochs: 'Warm-up epochs', warmupForm: 'Warm-up form', schedule: 'LR schedule', milestones: 'LR milestones (epochs)', gamma: 'LR factor γ at milestones',
  seed: 'Seed', 'augment.crop': 'Random crop (padded)', 'augment.flip': 'Horizontal flip', padding: 'Crop padding (px)', normHead: 'Cosine classifier',
  backend: 'Backend', threads: 'Threads', allowSoftwareAdapter: 'Software GPU adapter', evalEvery: 'Evaluate every (epochs)', valFraction: 'Validation holdout share',
  'params.drwEpoch': 'DRW epoch',
  ...Object.fromEntries(Object.entries(PARAM_LABEL).map(([k, v]) => [`params.${k}`, v])),
};
const configFields = Object.fromEntries(Object.entries(config).map(([k, v]) => [`config.${k}`, v]));

const split = {
  dataset: 'Dataset', name: 'Split name', profile: 'Profile', ratio: 'Imbalance ratio ρ', maxPerClass: 'n_max (head class)', seed: 'Seed', classOrder: 'Class order',
  many: 'Many-shot above', few: 'Few-shot below',
};

export const FIELD_LABELS = {
  importDataset: importFields,
  previewSplit: split,
  createSplit: split,
  train: { split: 'Split', name: 'Run name', teacher: 'Teacher', from: 'Stage-1 run', config: 'Run settings', initWeights: 'Weights file', initFrom: 'Initialise from', resetHead: 'New classifier', ...configFields },
  createStudy: {
    name: 'Study name', split: 'Split', methods: 'Methods', seeds: 'Seeds', 'grid.tau': 'Temperature T values', 'grid.power': 'Power p values', 'grid.alpha': 'Distillation weight α values',
    config: 'Run settings', ...configFields,
    'teacher.method': 'Teacher method', 'teacher.shared': 'One shared teacher', 'teacher.seed': 'Teacher seed', 'teacher.seedOffset': 'Teacher seed offset', 'teacher.epochs': 'Teacher epochs', 'teacher.model': 'Teacher model',
  },
  runStudy: { name: 'Study' },
  getStudy: { name: 'Study' },
  deleteStudy: { name: 'Study', cascade: 'With its runs' },
  planDelete: { kind: 'What', name: 'Name' },
  restoreTrash: { id: 'Trash entry', rename: 'Restore with new names' },
  emptyTrash: { ids: 'Trash entries' },
  annotate: { run: 'Run', study: 'Study', tags: 'Tags', note: 'Note' },
  setPriority: { name: 'Run', priority: 'Priority' },
  cancelRun: { name: 'Run' },
  resumeRun: { name: 'Run' },
  deleteRun: { name: 'Run', cascade: 'With its students' },
  getRun: { name: 'Run', cells: 'Every confusion cell' },
  listRuns: { split: 'Split', status: 'Status' },
  listSplits: { dataset: 'Dataset' },
  deleteSplit: { name: 'Split', cascade: 'With its runs and studies' },
  exportSplit: { name: 'Split', format: 'File format' },
  deleteDataset: { name: 'Dataset', cascade: 'With its splits and runs' },
  getDataset: { name: 'Dataset' },
  datasetSamples: { name: 'Dataset', perClass: 'Images per class', classes: 'Classes' },
  compareRuns: { names: 'Runs' },
  runStatistics: { names: 'Runs' },
  exportRun: { run: 'Run', format: 'Format', dir: 'Export folder', out: 'Export to' },
  virtualExamples: { run: 'Run', tau: 'Temperature T', power: 'Power p' },
  virtualExampleSweep: { run: 'Run', power: 'Power p', taus: 'Temperatures' },
  cellImages: { run: 'Run', actual: 'True class', predicted: 'Predicted class', offset: 'First image', limit: 'Images shown' },
  prepareExport: { run: 'Run', format: 'Format' },
  predict: { run: 'Run', files: 'Image files', images: 'Images', top: 'Classes shown' },
  importRun: { file: 'Weights file', split: 'Split', name: 'Run name', method: 'Method' },
  probeBackends: {
    model: 'Model', imageShape: 'Image shape', batchSize: 'Batch size', steps: 'Timed steps', budgetSeconds: 'Time budget (s)', threads: 'Threads',
    allowSoftwareAdapter: 'Software GPU adapter', noTiming: 'Without timing',
  },
} satisfies Partial<Record<CallName, Record<string, string>>>;

/** The calls a form or an action of the UI sends with an argument. */
export type FormCall = keyof typeof FIELD_LABELS;

/**
 * A field's label for a problem shown outside its form (a toast): the call's own when it is known,
 * else the one label every call gives that key (none where they differ: `name` is a split's in one
 * call and a run's in another).
 */
export function labelOf(key: string, call?: FormCall): string | undefined {
  if (call) return (FIELD_LABELS[call] as Record<string, string>)[key];
  const all = new Set((Object.values(FIELD_LABELS) as Record<string, string>[]).map((l) => l[key]).filter(Boolean));
  return all.size === 1 ? [...all][0] : undefined;
}

export function isFormCall(name: string): name is FormCall {
  return Object.hasOwn(FIELD_LABELS, name);
}
