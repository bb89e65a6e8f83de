// Pure helpers of the run page's export choice and "Try it" panel and of the Train screen's
// "Initialise from" choice (the components only render what these return).
import { EXPORT_FORMATS, PREDICT_LIMITS, type ExportFormat } from '../../src-main/core/domain/run-requests';
import type { RunOrigin, RunSummary } from '../../src-main/core/domain/types';

export const EXPORT_CHOICES: { id: ExportFormat; label: string; blurb: string }[] = EXPORT_FORMATS.map((id) => ({
  id,
  ...{
    tfjs: { label: 'TF.js folder (.tar.gz)', blurb: 'model.json (a weights manifest), weights.bin and run.json, as `dive export` writes them' },
    onnx: { label: 'ONNX (.onnx)', blurb: 'for ONNX Runtime and any ONNX tool: raw 0-255 pixels in, probabilities and logits out, class names in its metadata' },
    safetensors: { label: 'PyTorch (.safetensors)', blurb: "the state_dict of docs/pytorch/models.py (LDAM-DRW's ResNet names): load_state_dict(strict=True)" },
  }[id],
}));

/** A dropped or chosen file's bytes as base64, or why it is not sent. */
export function tooLarge(bytes: number): string | null {
  return bytes > PREDICT_LIMITS.bytes ? `over ${PREDICT_LIMITS.bytes / 1024 / 1024} MiB: shrink it first` : null;
}

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** "83.4%" for a probability; bars are as wide as the probability. */
export const percent = (p: number): string => `${(100 * p).toFixed(1)}%`;

/** The runs a new run can start from: completed, on the same dataset, of the same model. */
export function initCandidates(runs: readonly RunSummary[], dataset: string, model: string): RunSummary[] {
  return runs.filter((r) => r.status === 'completed' && r.dataset === dataset && r.model === model);
}

/** One line on where a run's weights came from, for lists (teacher picker, run page); '' for none. */
export function originLine(o: RunOrigin | null): string {
  if (!o) return '';
  const from = o.source && typeof o.source.trainedWith === 'string' ? ` (${o.source.trainedWith})` : o.source && typeof o.source.name === 'string' ? ` (run ${o.source.name})` : '';
  return o.kind === 'imported' ? `imported from ${o.file}${from}` : `initialised from ${o.file}${o.resetHead ? ', classifier reset' : ''}`;
}
