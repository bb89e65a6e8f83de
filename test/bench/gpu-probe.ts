// Which GPUs the training bench can time on: a hardware WebGPU adapter, a CUDA GPU through
// tfjs-node-gpu, and a CUDA or MPS device in PyTorch; each missing one with the reason.
// Run by train-bench.ts; `node --import tsx test/bench/gpu-probe.ts` prints the TS side as JSON
// (in its own process: Dawn and tfjs-node-gpu are loaded once per process).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '../../src-main/core/train/backend';
import { adapterName, probeAdapter } from '../../src-main/core/train/webgpu';

export type Found = { ok: true; name: string } | { ok: false; reason: string };

export interface GpuFacts {
  webgpu: Found;
  cuda: Found;
  torch: ({ ok: true; device: 'cuda' | 'mps'; name: string }) | { ok: false; reason: string };
}

const SELF = fileURLToPath(import.meta.url);
const why = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];

async function tsSide(): Promise<Omit<GpuFacts, 'torch'>> {
  let webgpu: Found;
  try {
    const { facts } = await probeAdapter();
    webgpu = facts.software ? { ok: false, reason: `only a software adapter (${adapterName(facts)})` } : { ok: true, name: adapterName(facts) };
  } catch (e) {
    webgpu = { ok: false, reason: why(e) };
  }
  let cuda: Found;
  try {
    const r = await selectBackend('tensorflow-gpu');
    cuda = r.device === 'gpu' ? { ok: true, name: r.detail } : { ok: false, reason: r.detail };
  } catch (e) {
    cuda = { ok: false, reason: why(e).replace(/^backend 'tensorflow-gpu' was requested but cannot be used: /, '') };
  }
  return { webgpu, cuda };
}

/** Both sides; `py` is the Python that imports torch (null: none). */
export function probeGpus(py: string | null, torchScript: string): GpuFacts {
  const r = spawnSync(process.execPath, ['--import', 'tsx', SELF], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 120_000 });
  const last = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  let ts: Omit<GpuFacts, 'torch'>;
  try {
    ts = JSON.parse(last) as Omit<GpuFacts, 'torch'>;
  } catch {
    const reason = `the GPU probe failed (exit ${r.status ?? r.signal})`;
    ts = { webgpu: { ok: false, reason }, cuda: { ok: false, reason } };
  }
  let torch: GpuFacts['torch'] = { ok: false, reason: 'PyTorch not found' };
  if (py) {
    const t = spawnSync(py, [torchScript, '--gpu-info'], { encoding: 'utf8', timeout: 120_000 });
    try {
      const info = JSON.parse((t.stdout ?? '').trim()) as { device: 'cuda' | 'mps' | null; name: string };
      torch = info.device ? { ok: true, device: info.device, name: info.name } : { ok: false, reason: info.name };
    } catch {
      torch = { ok: false, reason: `torch_bench.py --gpu-info failed (exit ${t.status ?? t.signal})` };
    }
  }
  return { ...ts, torch };
}

/** The lines the bench prints about GPUs, whatever was found. */
export function describeGpus(g: GpuFacts): string[] {
  const line = (label: string, f: Found) => `  ${label}: ${f.ok ? f.name : `none (${f.reason})`}`;
  const lines = [
    'GPUs:',
    line('webgpu (hardware adapter)', g.webgpu),
    line('CUDA via tfjs-node-gpu', g.cuda),
    `  PyTorch: ${g.torch.ok ? `${g.torch.device}, ${g.torch.name}` : `no GPU (${g.torch.reason})`}`,
  ];
  if (!g.webgpu.ok && !g.cuda.ok) lines.push('No GPU is usable here: GPU figures (ResNet-32, 32x32x3) were not measured.');
  return lines;
}

if (process.argv[1] === SELF) {
  const out = await tsSide();
  process.stdout.write(`\n${JSON.stringify(out)}\n`);
  process.exit(0);
}
