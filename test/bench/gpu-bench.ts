// The training bench's GPU part: ResNet-32 on 32x32x3 on each GPU rung gpu-probe.ts found (a CUDA
// GPU through tfjs-node-gpu, a hardware WebGPU adapter), beside PyTorch on its own GPU when it has one.
import type { BackendName } from '../../src-main/core/train/backend';
import type { probeGpus } from './gpu-probe';
import { runOurs, runTorch } from './train-bench-runners';
import { combine } from './train-bench-table';
import type { Row, TorchLine } from './train-bench-types';

/** ResNet-32 on 32x32x3 on each GPU rung found, beside PyTorch on its GPU (when it has one). */
export function gpuBench(g: ReturnType<typeof probeGpus>, py: string | null, batch: number, warmup: number, repeat: number, timeoutSec: number): Row[] {
  const rows: Row[] = [];
  const rungs: BackendName[] = [...(g.cuda.ok ? ['tensorflow-gpu' as const] : []), ...(g.webgpu.ok ? ['webgpu' as const] : [])];
  for (const b of rungs) {
    process.stderr.write(`resnet32 32x32x3 batch ${batch}: ${b}...\n`);
    const o = runOurs('resnet32', '32x32x3', batch, b, undefined, 20, Math.max(warmup, 3), repeat, timeoutSec);
    if (!o) continue;
    let t: TorchLine[] = [];
    if (py && g.torch.ok) t = runTorch(py, 'resnet32', '32x32x3', batch, [], 20, Math.max(warmup, 3), repeat, g.torch.device);
    // on a GPU the thread count is moot: compare with PyTorch's default-thread line on its device
    const row = combine(o, t);
    rows.push({ ...row, ratioSame: row.ratioDefault });
  }
  return rows;
}
