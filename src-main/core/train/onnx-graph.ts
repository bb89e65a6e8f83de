// A trained model as an ONNX file (opset 13, IR version 7), for ONNX Runtime and every tool that
// reads ONNX. Protobuf encoding by onnx-proto (ONNX's own onnx.proto compiled by protobufjs), so
// the wire format is a library's, not ours. The graph:
//   image    float32 [N, H, W, C], raw pixel values 0..255 (what an image decoder gives)
//   -> x * (1 / (255 std_c)) - mean_c / std_c per channel (the run's normalisation, inside the graph)
//   -> transpose to NCHW -> the PyTorch module of docs/pytorch/models.py, op for op (Conv with OIHW
//      weights, BatchNormalization with the running statistics, MaxPool, Slice + Pad for the
//      option-A shortcut, ReduceMean, Gemm / MatMul) with the weights of torch-layout.ts
//   logits        float32 [N, classes]
//   probabilities float32 [N, classes], Softmax(logits)
// metadata_props: classNames, mean, std, model, imageShape, normHead, run (JSON where structured).
import onnxProto from 'onnx-proto';
import type { NamedArray } from './layers';
import { HIDDEN_MLP } from './model-shapes';
import { toTorchTensor, torchShape, type LayoutSpec } from './torch-layout';

const { onnx } = onnxProto;
type Node = onnxProto.onnx.INodeProto;
type Tensor = onnxProto.onnx.ITensorProto;
type Attribute = onnxProto.onnx.IAttributeProto;

export const ONNX_OPSET = 13;
const BN_EPS = 1e-5;

export interface OnnxExportInfo {
  classNames: string[];
  mean: number[];
  std: number[];
  run: Record<string, unknown>;
  producerVersion: string;
}

function floats(name: string, dims: number[], values: ArrayLike<number>): Tensor {
  const data = Float32Array.from(values);
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function int64s(name: string, values: number[]): Tensor {
  return { name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, int64Data: values };
}

const ints = (name: string, v: number[]): Attribute => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: v });
const int = (name: string, v: number): Attribute => ({ name, type: onnx.AttributeProto.AttributeType.INT, i: v });
const float = (name: string, v: number): Attribute => ({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f: v });

/** Builds the node list and initializers of one graph, naming intermediate values uniquely. */
class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly inits: Tensor[] = [];
  private n = 0;

  constructor(private readonly spec: LayoutSpec, private readonly weights: Map<string, NamedArray>) {}

  op(opType: string, inputs: string[], attribute: Attribute[] = [], output?: string): string {
    const out = output ?? `${opType.toLowerCase()}_${this.n++}`;
    this.nodes.push({ opType, input: inputs, output: [out], attribute, name: out });
    return out;
  }

  constant(name: string, dims: number[], values: ArrayLike<number>): string {
    this.inits.push(floats(name, dims, values));
    return name;
  }

  /** A model tensor as an initializer in PyTorch's layout, named as in the state_dict. */
  param(name: string): string {
    const a = this.weights.get(name);
    if (!a) throw new Error(`onnx export: the weights have no tensor ${name}`);
    return this.constant(name, torchShape(this.spec, name, a.shape), toTorchTensor(this.spec, a));
  }

  conv(x: string, name: string, stride: number): string {
    return this.op('Conv', [x, this.param(`${name}.weight`)], [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1]), ints('strides', [stride, stride])]);
  }

  bn(x: string, name: string): string {
    const ins = ['weight', 'bias', 'running_mean', 'running_var'].map((p) => this.param(`${name}.${p}`));
    return this.op('BatchNormalization', [x, ...ins], [float('epsilon', BN_EPS)]);
  }

  relu(x: string): string {
    return this.op('Relu', [x]);
  }

  gemm(x: string, name: string, output?: string): string {
    return this.op('Gemm', [x, this.param(`${name}.weight`), this.param(`${name}.bias`)], [int('transB', 1)], output);
  }

  /** LDAM-DRW's NormedLinear: x / sqrt(sum x^2 + 1e-24) times the column-normalised weight (a constant). */
  normedHead(x: string, output: string): string {
    const a = this.weights.get('linear.weight')!;
    const [inF, outF] = a.shape;
    const w = toTorchTensor(this.spec, a);
    const normed = new Float32Array(w.length);
    for (let o = 0; o < outF; o++) {
      let s = 0;
      for (let i = 0; i < inF; i++) s += w[i * outF + o] ** 2;
      const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
      for (let i = 0; i < inF; i++) normed[i * outF + o] = w[i * outF + o] * inv;
    }
    const ss = this.op('ReduceSumSquare', [x], [ints('axes', [1]), int('keepdims', 1)]);
    const inv = this.op('Reciprocal', [this.op('Sqrt', [this.op('Add', [ss, this.constant('norm_eps', [], [1e-24])])])]);
    return this.op('MatMul', [this.op('Mul', [x, inv]), this.constant('linear.weight_normalized', [inF, outF], normed)], [], output);
  }

  head(x: string): string {
    return this.spec.normHead ? this.normedHead(x, 'logits') : this.gemm(x, 'linear', 'logits');
  }
}

function mlp(g: GraphBuilder, x: string): string {
  let y = g.op('Flatten', [x], [int('axis', 1)]);
  HIDDEN_MLP.forEach((_, i) => (y = g.relu(g.gemm(y, `fc${i + 1}`))));
  return g.head(y);
}

function cnn(g: GraphBuilder, x: string): string {
  const pool = (y: string) => g.op('MaxPool', [y], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])]);
  let y = pool(g.relu(g.bn(g.conv(x, 'conv1', 1), 'bn1')));
  y = pool(g.relu(g.bn(g.conv(y, 'conv2', 1), 'bn2')));
  return g.head(g.op('Flatten', [y], [int('axis', 1)]));
}

const BLOCKS: Record<string, number> = { resnet8: 1, resnet20: 3, resnet32: 5 };

function resnet(g: GraphBuilder, x: string, blocks: number): string {
  let y = g.relu(g.bn(g.conv(x, 'conv1', 1), 'bn1'));
  let inC = 16;
  [16, 32, 64].forEach((planes, stage) => {
    for (let b = 0; b < blocks; b++) {
      const name = `layer${stage + 1}.${b}`;
      const stride = b === 0 && stage > 0 ? 2 : 1;
      const out = g.bn(g.conv(g.relu(g.bn(g.conv(y, `${name}.conv1`, stride), `${name}.bn1`)), `${name}.conv2`, 1), `${name}.bn2`);
      let short = y;
      if (stride !== 1 || inC !== planes) {
        // option A: x[:, :, ::2, ::2], zero-padded by planes / 4 channels on each side
        const side = Math.floor(planes / 4);
        const sub = g.op('Slice', [y, `${name}.s_starts`, `${name}.s_ends`, `${name}.s_axes`, `${name}.s_steps`]);
        g.inits.push(int64s(`${name}.s_starts`, [0, 0]), int64s(`${name}.s_ends`, [2 ** 31 - 1, 2 ** 31 - 1]), int64s(`${name}.s_axes`, [2, 3]), int64s(`${name}.s_steps`, [2, 2]));
        g.inits.push(int64s(`${name}.pads`, [0, side, 0, 0, 0, side, 0, 0]));
        short = g.op('Pad', [sub, `${name}.pads`], [{ name: 'mode', type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode('constant') }]);
      }
      y = g.relu(g.op('Add', [out, short]));
      inC = planes;
    }
  });
  return g.head(g.op('ReduceMean', [y], [ints('axes', [2, 3]), int('keepdims', 0)]));
}

/** The ONNX model of a trained run: its bytes. */
export function encodeOnnx(spec: LayoutSpec, weights: readonly NamedArray[], info: OnnxExportInfo): Uint8Array {
  const g = new GraphBuilder(spec, new Map(weights.map((w) => [w.name, w])));
  const [h, w, c] = spec.imageShape;
  const scale = info.std.map((s) => 1 / (255 * s));
  const shift = info.mean.map((m, i) => -m / info.std[i]);
  const normalised = g.op('Add', [g.op('Mul', ['image', g.constant('pixel_scale', [c], scale)]), g.constant('pixel_shift', [c], shift)]);
  const x = g.op('Transpose', [normalised], [ints('perm', [0, 3, 1, 2])]);
  const logits = spec.kind === 'mlp' ? mlp(g, x) : spec.kind === 'cnn' ? cnn(g, x) : resnet(g, x, BLOCKS[spec.kind]);
  g.op('Softmax', [logits], [int('axis', 1)], 'probabilities');
  const valueInfo = (name: string, dims: (number | string)[]) => ({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'DiVE Workbench',
    producerVersion: info.producerVersion,
    docString: 'Input: raw pixel values 0..255, NHWC. Output: probabilities (softmax) and logits. Normalisation is inside the graph.',
    graph: {
      name: spec.kind,
      node: g.nodes,
      initializer: g.inits,
      input: [valueInfo('image', ['N', h, w, c])],
      output: [valueInfo('probabilities', ['N', spec.numClasses]), valueInfo('logits', ['N', spec.numClasses])],
    },
    metadataProps: Object.entries({
      model: spec.kind,
      imageShape: JSON.stringify(spec.imageShape),
      numClasses: String(spec.numClasses),
      normHead: String(spec.normHead),
      classNames: JSON.stringify(info.classNames),
      mean: JSON.stringify(info.mean),
      std: JSON.stringify(info.std),
      run: JSON.stringify(info.run),
    }).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}
