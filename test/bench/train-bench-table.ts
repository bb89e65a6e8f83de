// The training bench's rows: ours beside PyTorch at its default thread count and at ours, as a table.
import type { Ours, Row, TorchLine } from './train-bench-types';

export function combine(o: Ours, t: TorchLine[]): Row {
  const def = t.find((l) => l.threads === l.default_threads);
  const same = t.find((l) => l.threads === o.threads);
  return {
    ...o,
    torch: def
      ? {
          version: def.torch,
          defaultThreads: def.default_threads,
          trainIpsDefault: def.train_ips,
          trainIpsSame: same?.train_ips ?? null,
          trainCpuIpsSame: same?.train_cpu_ips ?? null,
          inferIpsDefault: def.infer_ips,
          inferIpsSame: same?.infer_ips ?? null,
          peakRssMb: Math.max(...t.map((l) => l.peak_rss_mb)),
          loadSame: same?.load ?? null,
        }
      : null,
    ratioDefault: def ? o.trainIps / def.train_ips : null,
    ratioSame: same ? o.trainIps / same.train_ips : null,
    ratioCpu: same?.train_cpu_ips ? o.trainCpuIps / same.train_cpu_ips : null,
  };
}

export function table(rows: Row[]): string {
  const f0 = (n: number | null | undefined) => (n == null ? '-' : n.toFixed(0));
  const f2 = (n: number | null | undefined) => (n == null ? '-' : n.toFixed(2));
  const f1 = (n: number | null | undefined) => (n == null ? '-' : n.toFixed(1));
  const head = ['model', 'shape', 'batch', 'backend', 'thr', 'train img/s', 'infer img/s', 'peak RSS MB', 'tensors', 'torch@def (thr)', 'torch@same', 'ratio def', 'ratio same', 'CPU img/s', 'torch CPU img/s', 'ratio CPU', 'load ours / torch'];
  const body = rows.map((r) => [
    r.model,
    r.shape,
    String(r.batch),
    r.backend,
    String(r.threads),
    f0(r.trainIps),
    f0(r.inferIps),
    f0(r.peakRssMb),
    `${r.tensorsStart}→${r.tensorsEnd}`,
    r.torch ? `${f0(r.torch.trainIpsDefault)} (${r.torch.defaultThreads})` : '-',
    f0(r.torch?.trainIpsSame),
    f2(r.ratioDefault),
    f2(r.ratioSame),
    f0(r.trainCpuIps),
    f0(r.torch?.trainCpuIpsSame),
    f2(r.ratioCpu),
    `${f1(r.load)} / ${f1(r.torch?.loadSame)}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
