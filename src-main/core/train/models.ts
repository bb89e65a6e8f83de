// The classifiers, sized from the image shape [H, W, C] and the number of classes:
// - mlp: flatten, two hidden layers of 256 with ReLU, linear classifier;
// - cnn: conv16-BN-ReLU-maxpool2, conv32-BN-ReLU-maxpool2, flatten, linear;
// - resnet8/20/32: CIFAR ResNets of He et al. 2016 as in LDAM-DRW's resnet_cifar.py: 3x3 conv16,
//   three stages of n = 1/3/5 basic blocks with 16/32/64 channels (stride 2 entering stages 2
//   and 3), option-A shortcuts, global average pooling, linear classifier.
// Parameter names follow the PyTorch module names (conv1.weight, layer2.0.bn1.running_var, ...).
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng';
import type { ImageShape, ModelKind } from '../domain/run-config';
import { batchNorm, conv2d, dense, normedDense, RELU, shortcutA, VariableSet, type Layer, type NamedArray, type NamedVariables } from './layers';
import { HIDDEN_MLP } from './model-shapes';

export interface ModelSpec {
  kind: ModelKind;
  imageShape: ImageShape;
  numClasses: number;
  /** cosine classifier (LDAM-DRW's NormedLinear) instead of a linear one */
  normHead?: boolean;
}

export interface Model {
  readonly spec: Readonly<ModelSpec>;
  /** trainable tensors by name, in creation order */
  readonly params: NamedVariables;
  /** batch-norm running statistics by name */
  readonly state: NamedVariables;
  /**
   * Logits [N, classes] of a [N, H, W, C] batch. training = true uses batch statistics and
   * updates the running ones; false uses the running statistics and changes nothing.
   */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D;
  /** the penultimate features [N, featureSize] the classifier reads (decoupled training, post-hoc adjustment) */
  features(x: tf.Tensor4D, training: boolean): tf.Tensor2D;
  /** the features' width: the classifier's `linear.weight` is [featureSize, classes] */
  readonly featureSize: number;
  /** copies of every parameter and running statistic (params first) */
  snapshot(): NamedArray[];
  /** the same, read without blocking: the webgpu backend cannot read GPU memory synchronously */
  snapshotAsync(): Promise<NamedArray[]>;
  /** sets every parameter and running statistic; names and shapes must match exactly */
  restore(arrays: readonly NamedArray[]): void;
  numParams(): number;
  dispose(): void;
}

const RESNET_BLOCKS: Record<'resnet8' | 'resnet20' | 'resnet32', number> = { resnet8: 1, resnet20: 3, resnet32: 5 };

function head(vs: VariableSet, inF: number, numClasses: number, normHead: boolean): Layer<tf.Tensor2D, tf.Tensor2D> {
  return normHead ? normedDense(vs, 'linear', inF, numClasses) : dense(vs, 'linear', inF, numClasses);
}

/** A network as its feature extractor and its classifier (created in that order: the init draws are unchanged). */
interface Network {
  features: Layer<tf.Tensor4D, tf.Tensor2D>;
  head: Layer<tf.Tensor2D, tf.Tensor2D>;
  featureSize: number;
}

function buildMlp(vs: VariableSet, s: ModelSpec): Network {
  const [h, w, c] = s.imageShape;
  const sizes = [h * w * c, ...HIDDEN_MLP];
  const hidden = HIDDEN_MLP.map((out, i) => dense(vs, `fc${i + 1}`, sizes[i], out));
  const featureSize = sizes[sizes.length - 1];
  return {
    featureSize,
    head: head(vs, featureSize, s.numClasses, !!s.normHead),
    features: (x, training) => {
      let y = tf.reshape(x, [x.shape[0], sizes[0]]) as tf.Tensor2D;
      for (const layer of hidden) y = tf.relu(layer(y, training));
      return y;
    },
  };
}

function buildCnn(vs: VariableSet, s: ModelSpec): Network {
  const [h, w, c] = s.imageShape;
  const conv1 = conv2d(vs, 'conv1', c, 16, 3, 1);
  const bn1 = batchNorm<tf.Tensor4D>(vs, 'bn1', 16);
  const conv2 = conv2d(vs, 'conv2', 16, 32, 3, 1);
  const bn2 = batchNorm<tf.Tensor4D>(vs, 'bn2', 32);
  const flat = Math.floor(Math.floor(h / 2) / 2) * Math.floor(Math.floor(w / 2) / 2) * 32;
  if (flat === 0) throw new Error(`cnn needs images of at least 4x4 pixels, got ${h}x${w}`);
  return {
    featureSize: flat,
    head: head(vs, flat, s.numClasses, !!s.normHead),
    features: (x, t) => {
      // bn(x, t, RELU) is relu(bn(x)), in batch norm's own kernels where they run
      let y = tf.maxPool(bn1(conv1(x, t), t, RELU), 2, 2, 'valid');
      y = tf.maxPool(bn2(conv2(y, t), t, RELU), 2, 2, 'valid');
      return tf.reshape(y, [y.shape[0], flat]) as tf.Tensor2D;
    },
  };
}

function basicBlock(vs: VariableSet, name: string, inC: number, outC: number, stride: number): Layer<tf.Tensor4D, tf.Tensor4D> {
  const conv1 = conv2d(vs, `${name}.conv1`, inC, outC, 3, stride);
  const bn1 = batchNorm<tf.Tensor4D>(vs, `${name}.bn1`, outC);
  const conv2 = conv2d(vs, `${name}.conv2`, outC, outC, 3, 1);
  const bn2 = batchNorm<tf.Tensor4D>(vs, `${name}.bn2`, outC);
  const shortcut = stride !== 1 || inC !== outC ? shortcutA(inC, outC) : (x: tf.Tensor4D) => x;
  // relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), the ReLUs and the addition inside batch norm's kernels where they run
  return (x, t) => bn2(conv2(bn1(conv1(x, t), t, RELU), t), t, { relu: true, residual: shortcut(x) });
}

function buildResnet(vs: VariableSet, s: ModelSpec, n: number): Network {
  const conv1 = conv2d(vs, 'conv1', s.imageShape[2], 16, 3, 1);
  const bn1 = batchNorm<tf.Tensor4D>(vs, 'bn1', 16);
  const blocks: Layer<tf.Tensor4D, tf.Tensor4D>[] = [];
  let inC = 16;
  [16, 32, 64].forEach((planes, stage) => {
    for (let b = 0; b < n; b++) {
      blocks.push(basicBlock(vs, `layer${stage + 1}.${b}`, inC, planes, b === 0 && stage > 0 ? 2 : 1));
      inC = planes;
    }
  });
  return {
    featureSize: 64,
    head: head(vs, 64, s.numClasses, !!s.normHead),
    features: (x, t) => {
      let y = bn1(conv1(x, t), t, RELU);
      for (const block of blocks) y = block(y, t);
      return tf.mean(y, [1, 2]) as tf.Tensor2D;
    },
  };
}

function checkSpec(s: ModelSpec): void {
  const [h, w, c] = s.imageShape;
  if (![h, w, c].every((d) => Number.isInteger(d) && d > 0)) throw new Error(`bad image shape [${s.imageShape}]`);
  if (!Number.isInteger(s.numClasses) || s.numClasses < 2) throw new Error(`need at least 2 classes, got ${s.numClasses}`);
}

/** Builds a model with fresh weights drawn from `rng` (the same rng state gives the same weights). */
export function createModel(spec: ModelSpec, rng: Rng): Model {
  checkSpec(spec);
  const vs = new VariableSet(rng);
  const net =
    spec.kind === 'mlp' ? buildMlp(vs, spec) : spec.kind === 'cnn' ? buildCnn(vs, spec) : buildResnet(vs, spec, RESNET_BLOCKS[spec.kind]);
  const all = (): [string, tf.Variable][] => [...Object.entries(vs.params), ...Object.entries(vs.state)];
  const [h, w, c] = spec.imageShape;
  const checkInput = (x: tf.Tensor4D) => {
    if (x.rank !== 4 || x.shape[1] !== h || x.shape[2] !== w || x.shape[3] !== c) {
      throw new Error(`model expects [N, ${h}, ${w}, ${c}] input, got [${x.shape}]`);
    }
  };
  return {
    spec: { ...spec, imageShape: [...spec.imageShape] },
    params: vs.params,
    state: vs.state,
    featureSize: net.featureSize,
    apply(x, training) {
      checkInput(x);
      return tf.tidy(() => net.head(net.features(x, training), training));
    },
    features(x, training) {
      checkInput(x);
      return tf.tidy(() => net.features(x, training));
    },
    snapshot: () => all().map(([name, v]) => ({ name, shape: [...v.shape], data: (v.dataSync() as Float32Array).slice() })),
    snapshotAsync: () => readAll(all()),
    restore(arrays) {
      restoreVariables(Object.fromEntries(all()), arrays, 'model');
    },
    numParams: () => Object.values(vs.params).reduce((a, v) => a + v.size, 0),
    dispose() {
      for (const [, v] of all()) v.dispose();
    },
  };
}

/** Copies of named variables, read asynchronously (every backend supports it; webgpu only this). */
export async function readAll(vars: [string, tf.Variable][]): Promise<NamedArray[]> {
  const data = await Promise.all(vars.map(([, v]) => v.data() as Promise<Float32Array>));
  return vars.map(([name, v], i) => ({ name, shape: [...v.shape], data: data[i].slice() }));
}

/** `base` with every tensor of `over` put in by name (shapes must match); a name `base` lacks is an error. */
export function mergeWeights(base: readonly NamedArray[], over: readonly NamedArray[]): NamedArray[] {
  const byName = new Map(over.map((a) => [a.name, a]));
  for (const a of over) if (!base.some((b) => b.name === a.name)) throw new Error(`initial weights: the model has no tensor ${a.name}`);
  return base.map((b) => {
    const a = byName.get(b.name);
    if (!a) return b;
    if (a.shape.join() !== b.shape.join()) throw new Error(`initial weights: tensor ${a.name} has shape [${a.shape}], expected [${b.shape}]`);
    return a;
  });
}

/** Assigns named arrays to named variables; the two name sets and every shape must match. */
export function restoreVariables(vars: NamedVariables, arrays: readonly NamedArray[], what: string): void {
  const names = Object.keys(vars);
  if (arrays.length !== names.length) throw new Error(`${what}: expected ${names.length} tensors, got ${arrays.length}`);
  for (const a of arrays) {
    const v = vars[a.name];
    if (!v) throw new Error(`${what}: unexpected tensor ${a.name}`);
    if (a.shape.join() !== v.shape.join() || a.data.length !== v.size) {
      throw new Error(`${what}: tensor ${a.name} has shape [${a.shape}], expected [${v.shape}]`);
    }
  }
  for (const a of arrays) {
    // Copy: on the cpu backend a tensor keeps a reference to the array it is made from.
    tf.tidy(() => vars[a.name].assign(tf.tensor(a.data.slice(), a.shape, 'float32')));
  }
}
