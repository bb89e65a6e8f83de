// Our models' tensors in PyTorch's state_dict layout and back: the names are already PyTorch's
// (models.ts), the layouts differ. Ours are NHWC; PyTorch's modules (docs/pytorch/models.py, and for
// the ResNets exactly kaidic/LDAM-DRW's models/resnet_cifar.py) take NCHW input:
// - conv weights: ours [kh, kw, in, out], PyTorch's Conv2d [out, in, kh, kw] (OIHW);
// - linear weights: ours [in, out], nn.Linear's [out, in]; LDAM-DRW's NormedLinear keeps [in, out];
// - the first layer after a flatten (the mlp's fc1 over the image, the cnn's linear over its last
//   feature map) has its inputs reordered from NHWC's (h, w, c) to NCHW's (c, h, w) flatten order;
// - batch norm: weight, bias, running_mean, running_var as they are, plus num_batches_tracked
//   (int64), which every nn.BatchNorm2d has in its state_dict.
import type { ImageShape, ModelKind } from '../domain/run-config';
import { UserError } from '../domain/errors';
import type { NamedArray } from './layers';
import type { SafeTensor, WritableTensor } from './safetensors';

export interface LayoutSpec {
  kind: ModelKind;
  imageShape: ImageShape;
  numClasses: number;
  normHead: boolean;
}

/** The layer whose input is a flattened NHWC map, and that map's [h, w, c]; null for the ResNets (global pooling). */
export function flattenInput(spec: Pick<LayoutSpec, 'kind' | 'imageShape'>): { name: string; hwc: [number, number, number] } | null {
  const [h, w, c] = spec.imageShape;
  if (spec.kind === 'mlp') return { name: 'fc1.weight', hwc: [h, w, c] };
  if (spec.kind === 'cnn') return { name: 'linear.weight', hwc: [Math.floor(Math.floor(h / 2) / 2), Math.floor(Math.floor(w / 2) / 2), 32] };
  return null;
}

/** perm[i] = the NHWC flatten index of NCHW flatten index i, for a [h, w, c] map. */
function nchwToNhwc([h, w, c]: [number, number, number]): Int32Array {
  const perm = new Int32Array(h * w * c);
  for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) perm[(ch * h + y) * w + x] = (y * w + x) * c + ch;
  return perm;
}

const isNormedHead = (spec: LayoutSpec, name: string) => spec.normHead && name === 'linear.weight';

/** The PyTorch shape of one of our tensors. */
export function torchShape(spec: LayoutSpec, name: string, shape: readonly number[]): number[] {
  if (shape.length === 4) return [shape[3], shape[2], shape[0], shape[1]];
  if (shape.length === 2 && !isNormedHead(spec, name)) return [shape[1], shape[0]];
  return [...shape];
}

/** One of our tensors in PyTorch's layout. */
export function toTorchTensor(spec: LayoutSpec, a: NamedArray): Float32Array {
  const s = a.shape;
  if (s.length === 4) {
    const [kh, kw, ci, co] = s;
    const out = new Float32Array(a.data.length);
    for (let o = 0; o < co; o++) for (let i = 0; i < ci; i++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
      out[((o * ci + i) * kh + y) * kw + x] = a.data[((y * kw + x) * ci + i) * co + o];
    }
    return out;
  }
  if (s.length !== 2) return a.data.slice();
  const [inF, outF] = s;
  const flat = flattenInput(spec);
  const perm = flat && flat.name === a.name ? nchwToNhwc(flat.hwc) : null;
  const src = (i: number) => (perm ? perm[i] : i);
  const out = new Float32Array(a.data.length);
  if (isNormedHead(spec, a.name)) {
    for (let i = 0; i < inF; i++) for (let o = 0; o < outF; o++) out[i * outF + o] = a.data[src(i) * outF + o];
  } else {
    for (let o = 0; o < outF; o++) for (let i = 0; i < inF; i++) out[o * inF + i] = a.data[src(i) * outF + o];
  }
  return out;
}

/** A PyTorch-layout tensor back in ours, for our tensor `name` of shape `shape`. */
export function fromTorchTensor(spec: LayoutSpec, name: string, shape: readonly number[], data: Float32Array): Float32Array {
  if (shape.length === 4) {
    const [kh, kw, ci, co] = shape;
    const out = new Float32Array(data.length);
    for (let o = 0; o < co; o++) for (let i = 0; i < ci; i++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
      out[((y * kw + x) * ci + i) * co + o] = data[((o * ci + i) * kh + y) * kw + x];
    }
    return out;
  }
  if (shape.length !== 2) return data.slice();
  const [inF, outF] = shape;
  const flat = flattenInput(spec);
  const perm = flat && flat.name === name ? nchwToNhwc(flat.hwc) : null;
  const dst = (i: number) => (perm ? perm[i] : i);
  const out = new Float32Array(data.length);
  if (isNormedHead(spec, name)) {
    for (let i = 0; i < inF; i++) for (let o = 0; o < outF; o++) out[dst(i) * outF + o] = data[i * outF + o];
  } else {
    for (let o = 0; o < outF; o++) for (let i = 0; i < inF; i++) out[dst(i) * outF + o] = data[o * inF + i];
  }
  return out;
}

/**
 * A model's tensors as PyTorch's state_dict, in its order (each module's parameters, then its
 * buffers); `steps` is the num_batches_tracked every batch norm reports (training steps taken).
 */
export function toStateDict(spec: LayoutSpec, weights: readonly NamedArray[], steps: number): WritableTensor[] {
  const byName = new Map(weights.map((w) => [w.name, w]));
  const out: WritableTensor[] = [];
  const put = (a: NamedArray) => out.push({ name: a.name, shape: torchShape(spec, a.name, a.shape), data: toTorchTensor(spec, a) });
  for (const w of weights) {
    if (w.name.endsWith('.running_mean') || w.name.endsWith('.running_var')) continue;
    put(w);
    // a batch norm's buffers follow its parameters, as in module.state_dict()
    const bn = w.name.endsWith('.bias') ? w.name.slice(0, -'.bias'.length) : null;
    if (bn && byName.has(`${bn}.running_mean`)) {
      put(byName.get(`${bn}.running_mean`)!);
      put(byName.get(`${bn}.running_var`)!);
      out.push({ name: `${bn}.num_batches_tracked`, shape: [], int64: [steps] });
    }
  }
  return out;
}

export interface ReadOptions {
  /** keep the model's own (fresh) classifier where the file's has another class count */
  resetHead?: boolean;
}

/**
 * The file's tensors in our layout, checked against the model's own tensors (`expected`, ours):
 * a tensor missing, extra or of another shape is named in one line. num_batches_tracked is
 * accepted and dropped (the engine's batch norm does not use it). With resetHead, a classifier
 * (`linear.*`) of another shape is left out, and the caller keeps the model's fresh one.
 */
export function fromStateDict(spec: LayoutSpec, tensors: readonly SafeTensor[], expected: readonly { name: string; shape: number[] }[], source: string, opts: ReadOptions = {}): NamedArray[] {
  const file = new Map(tensors.filter((t) => !t.name.endsWith('.num_batches_tracked')).map((t) => [t.name, t]));
  const missing = expected.filter((e) => !file.has(e.name)).map((e) => e.name);
  const known = new Set(expected.map((e) => e.name));
  const extra = [...file.keys()].filter((n) => !known.has(n));
  const list = (xs: string[]) => `${xs.slice(0, 5).join(', ')}${xs.length > 5 ? ` and ${xs.length - 5} more` : ''}`;
  const what = `a ${spec.kind}${spec.normHead ? ' with a cosine classifier' : ''}`;
  if (missing.length) throw new UserError(`${source}: tensor ${list(missing)} missing for ${what} (PyTorch state_dict names, as \`dive export --format safetensors\` writes them)`);
  if (extra.length) throw new UserError(`${source}: unexpected tensor ${list(extra)} for ${what}`);
  const out: NamedArray[] = [];
  for (const e of expected) {
    const t = file.get(e.name)!;
    const want = torchShape(spec, e.name, e.shape);
    if (t.shape.join() !== want.join()) {
      if (e.name.startsWith('linear.')) {
        if (opts.resetHead) continue;
        const theirs = isNormedHead(spec, e.name) ? t.shape[1] : t.shape[0];
        throw new UserError(`${source}: tensor ${e.name} is [${t.shape}], the model needs [${want}]: its classifier has ${theirs} classes and this split ${spec.numClasses}; add --reset-head to train a new classifier on its features`);
      }
      throw new UserError(`${source}: tensor ${e.name} is [${t.shape}], the model needs [${want}]`);
    }
    out.push({ name: e.name, shape: [...e.shape], data: fromTorchTensor(spec, e.name, e.shape, t.data) });
  }
  return out;
}

/**
 * Which of our models a state_dict is, from its names alone (a file trained elsewhere may carry no
 * metadata): fc1 -> mlp; layer1.N -> resnet8/20/32 by blocks per stage; conv2 -> cnn. The cosine
 * classifier has no bias; the class count is the classifier's.
 */
export function inferArchitecture(tensors: readonly SafeTensor[], source: string): { kind: ModelKind; normHead: boolean; numClasses: number } {
  const names = new Set(tensors.map((t) => t.name));
  const blocks = new Set(tensors.map((t) => /^layer1\.(\d+)\./.exec(t.name)?.[1]).filter((b): b is string => b !== undefined)).size;
  const resnet: Record<number, ModelKind> = { 1: 'resnet8', 3: 'resnet20', 5: 'resnet32' };
  let kind: ModelKind;
  if (names.has('fc1.weight')) kind = 'mlp';
  else if (blocks) {
    if (!resnet[blocks]) throw new UserError(`${source}: a ResNet with ${blocks} blocks per stage; the workbench has resnet8, resnet20 and resnet32 (1, 3 and 5 blocks)`);
    kind = resnet[blocks];
  } else if (names.has('conv2.weight')) kind = 'cnn';
  else throw new UserError(`${source}: its tensor names fit none of the workbench's models (mlp: fc1, fc2, linear; cnn: conv1, bn1, conv2, bn2, linear; resnet8/20/32: LDAM-DRW's resnet_cifar names)`);
  const head = tensors.find((t) => t.name === 'linear.weight');
  if (!head || head.shape.length !== 2) throw new UserError(`${source}: no classifier (linear.weight)`);
  const normHead = !names.has('linear.bias');
  return { kind, normHead, numClasses: normHead ? head.shape[1] : head.shape[0] };
}
