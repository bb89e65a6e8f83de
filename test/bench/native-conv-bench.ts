// Our wasm convolution kernels against the XNNPACK paths they replace, per kernel, one thread:
// the forward convolution, the filter gradient and the input gradient on the convolutions of a
// CIFAR ResNet step (32x32x3, batch 128, and the 28x28x1 stem), with each build of ours (relaxed
// SIMD, SIMD128), Winograd on (3x3 stride 1) and off (our direct kernels), and with ours off.
// GFLOP/s count a direct convolution's multiplies and adds, whichever algorithm ran. Least process CPU time of a few calls (one thread: steady under load), in GFLOP/s.
// Figures to read, not assertions.
// Run: node --import tsx test/bench/native-conv-bench.ts [--reps 5]
import os from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src-main/core/train/backend';
import { nativeConvBuilds, setNativeConvMode } from '../../src-main/core/train/wasm-kernels/native-conv';
import { setWinograd } from '../../src-main/core/train/wasm-kernels/winograd';

/** [n, h, w, ci, co, stride], 3x3 filters, padding 1 (layers.ts) */
const SHAPES: [number, number, number, number, number, number][] = [
  [128, 28, 28, 1, 16, 1],
  [128, 32, 32, 3, 16, 1],
  [128, 32, 32, 16, 16, 1],
  [128, 32, 32, 16, 32, 2],
  [128, 16, 16, 32, 32, 1],
  [128, 16, 16, 32, 64, 2],
  [128, 8, 8, 64, 64, 1],
];
type Op = 'forward' | 'filter grad' | 'input grad';
const OPS: Op[] = ['forward', 'filter grad', 'input grad'];

function leastCpuMs(f: () => tf.Tensor, reps: number): number {
  let best = Infinity;
  for (let r = 0; r < reps + 1; r++) {
    const c0 = process.cpuUsage();
    const y = f(); // wasm kernels run synchronously: the output is computed when this returns
    const c = process.cpuUsage(c0);
    y.dispose();
    if (r > 0) best = Math.min(best, (c.user + c.system) / 1000);
  }
  return best;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { reps: { type: 'string', default: '5' } } });
  const reps = Math.max(1, Number(values.reps) || 5);
  const report = await selectBackend('wasm', { threads: 1 });
  const modes = [...nativeConvBuilds().flatMap((b) => [{ mode: b, winograd: true, name: `${b} wino` }, { mode: b, winograd: false, name: `${b} direct` }]),
    { mode: 'off' as const, winograd: false, name: 'off' }];
  process.stdout.write(`${report.detail}; GFLOP/s by least CPU time of ${reps} (ms in brackets); 'off' = XNNPACK paths; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n\n`);
  process.stdout.write(`${'convolution'.padEnd(30)}${'kernel'.padEnd(13)}${modes.map((m) => m.name.padStart(16)).join('')}\n`);
  for (const [n, h, w, ci, co, s] of SHAPES) {
    const x = tf.randomNormal([n, h, w, ci]) as tf.Tensor4D;
    const f = tf.randomNormal([3, 3, ci, co]) as tf.Tensor4D;
    const dy = tf.randomNormal([n, Math.ceil(h / s), Math.ceil(w / s), co]) as tf.Tensor4D;
    const flops = 2 * n * Math.ceil(h / s) * Math.ceil(w / s) * 9 * ci * co;
    const run: Record<Op, () => tf.Tensor> = {
      forward: () => tf.conv2d(x, f, s, 1),
      'filter grad': () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides: s, pad: 1, dataFormat: 'NHWC', filterShape: [3, 3, ci, co] }) as tf.Tensor,
      'input grad': () => tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: f }, { strides: s, pad: 1, dataFormat: 'NHWC', inputShape: [n, h, w, ci] }) as tf.Tensor,
    };
    for (const op of OPS) {
      const cells = modes.map((m) => {
        setNativeConvMode(m.mode);
        setWinograd(m.winograd);
        const ms = leastCpuMs(run[op], reps);
        return `${(flops / ms / 1e6).toFixed(0)} (${ms.toFixed(1)})`.padStart(16);
      });
      process.stdout.write(`${`${n}x${h}x${w}x${ci} -> ${co}, /${s}`.padEnd(30)}${op.padEnd(13)}${cells.join('')}\n`);
    }
    setNativeConvMode('auto');
    setWinograd(true);
    tf.dispose([x, f, dy]);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
