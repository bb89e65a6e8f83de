// SGD with momentum and L2 weight decay in PyTorch's semantics (torch.optim.SGD, dampening 0,
// no Nesterov), which the reference code (kaidic/LDAM-DRW) trains with:
//   d = g + wd * w;   v = mu * v + d;   w = w - lr * v
// (PyTorch starts v at d on the first step, which is the same as starting it at 0.)
// Weight decay is applied to every trainable tensor, batch-norm gamma/beta and biases included,
// because the reference passes model.parameters() as one group.
import * as tf from '@tensorflow/tfjs-core';
import type { NamedArray, NamedVariables } from './layers';
import { fusedSgdApplies, fusedSgdStep } from './sgd-fused';
import { readAll, restoreVariables } from './models';

export interface SgdOptions {
  momentum: number;
  weightDecay: number;
}

/** One SGD step on plain arrays (the reference the TF.js version is tested against). */
export function sgdStepArrays(w: Float32Array, v: Float32Array, g: Float32Array, lr: number, o: SgdOptions): void {
  for (let i = 0; i < w.length; i++) {
    const d = g[i] + o.weightDecay * w[i];
    v[i] = o.momentum * v[i] + d;
    w[i] -= lr * v[i];
  }
}

export class Sgd {
  /** momentum buffers, named like the parameters they belong to */
  readonly buffers: NamedVariables = {};

  constructor(
    private readonly params: NamedVariables,
    private readonly opts: SgdOptions,
  ) {
    for (const [name, p] of Object.entries(params)) {
      this.buffers[name] = tf.tidy(() => tf.variable(tf.zerosLike(p), false, `${p.name}/momentum`));
    }
  }

  /**
   * Applies one step. `grads` is keyed by the variables' TF.js names, as tf.variableGrads returns
   * them; a parameter without a gradient (unused by the loss) is left alone.
   */
  step(grads: tf.NamedTensorMap, lr: number): void {
    const { momentum, weightDecay } = this.opts;
    tf.tidy(() => {
      for (const [name, p] of Object.entries(this.params)) {
        const g = grads[p.name];
        if (!g) continue;
        const v = this.buffers[name];
        if (fusedSgdApplies(p)) {
          // the wasm backend with our kernels: the same arithmetic in one kernel (sgd-fused.ts)
          const [np, nv] = fusedSgdStep(p, v, g, lr, momentum, weightDecay);
          v.assign(nv);
          p.assign(np);
          continue;
        }
        const d = weightDecay ? tf.add(g, tf.mul(p, weightDecay)) : g;
        v.assign(momentum ? tf.add(tf.mul(v, momentum), d) : d);
        p.assign(tf.sub(p, tf.mul(v, lr)));
      }
    });
  }

  snapshot(): NamedArray[] {
    return Object.entries(this.buffers).map(([name, v]) => ({ name, shape: [...v.shape], data: (v.dataSync() as Float32Array).slice() }));
  }

  /** snapshot() without blocking (the webgpu backend has no synchronous read) */
  snapshotAsync(): Promise<NamedArray[]> {
    return readAll(Object.entries(this.buffers));
  }

  restore(arrays: readonly NamedArray[]): void {
    restoreVariables(this.buffers, arrays, 'optimizer');
  }

  dispose(): void {
    for (const v of Object.values(this.buffers)) v.dispose();
  }
}
