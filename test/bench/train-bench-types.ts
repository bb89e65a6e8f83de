// What the training bench's processes report: our measurement (train-bench-child.ts), PyTorch's
// (torch_bench.py) and the row that puts them side by side.
import type { BackendName } from '../../src-main/core/train/backend';
import type { ModelKind } from '../../src-main/core/domain/run-config';

export const CLASSES = 10;
export const SGD = { lr: 0.1, momentum: 0.9, weightDecay: 2e-4 };
/** prefix of the child's result line */
export const LINE = 'TRAIN-BENCH ';

export interface Ours {
  engine: 'tfjs';
  model: ModelKind;
  shape: string;
  batch: number;
  backend: BackendName;
  detail: string;
  threads: number;
  steps: number;
  warmup: number;
  /** timed runs of `steps` steps; the fastest counts */
  repeat: number;
  trainIps: number;
  /** training images per second of process CPU time (all threads) */
  trainCpuIps: number;
  inferIps: number;
  peakRssMb: number;
  tensorsStart: number;
  tensorsEnd: number;
  /** the 1-minute load average when the timed runs ended (how busy the machine was) */
  load: number;
}

export interface TorchLine {
  engine: 'torch';
  torch: string;
  model: string;
  shape: string;
  batch: number;
  threads: number;
  default_threads: number;
  train_ips: number;
  train_cpu_ips: number;
  infer_ips: number;
  peak_rss_mb: number;
  /** the 1-minute load average when the timed training runs ended */
  load: number;
}

export interface Row extends Ours {
  torch: { version: string; defaultThreads: number; trainIpsDefault: number; trainIpsSame: number | null; trainCpuIpsSame: number | null; inferIpsDefault: number; inferIpsSame: number | null; peakRssMb: number; loadSame: number | null } | null;
  /** ours / torch train img/s at torch's default thread count and at our thread count */
  ratioDefault: number | null;
  ratioSame: number | null;
  /** the same at our thread count, from images per CPU-second on both sides */
  ratioCpu: number | null;
}
