// The names and shapes (ours, NHWC) of every tensor a model has, in models.ts's order (parameters in
// creation order, then batch-norm running statistics), computed without TF.js: a weights file is
// checked against them in whatever process receives it (test/unit/torch-weights.test.ts holds this
// table to createModel's own tensors for every model).
import type { LayoutSpec } from './torch-layout';

// The MLP's hidden widths: here, not in models.ts, so that checking a weights file needs no TF.js.
export const HIDDEN_MLP = [256, 256];

export interface TensorShape {
  name: string;
  shape: number[];
}

const RESNET_BLOCKS: Record<string, number> = { resnet8: 1, resnet20: 3, resnet32: 5 };

export function modelTensorShapes(spec: Omit<LayoutSpec, 'numClasses'> & { numClasses: number }): TensorShape[] {
  const params: TensorShape[] = [];
  const state: TensorShape[] = [];
  const conv = (name: string, inC: number, outC: number) => params.push({ name: `${name}.weight`, shape: [3, 3, inC, outC] });
  const bn = (name: string, c: number) => {
    params.push({ name: `${name}.weight`, shape: [c] }, { name: `${name}.bias`, shape: [c] });
    state.push({ name: `${name}.running_mean`, shape: [c] }, { name: `${name}.running_var`, shape: [c] });
  };
  const dense = (name: string, inF: number, outF: number) => params.push({ name: `${name}.weight`, shape: [inF, outF] }, { name: `${name}.bias`, shape: [outF] });
  const head = (inF: number) => (spec.normHead ? params.push({ name: 'linear.weight', shape: [inF, spec.numClasses] }) : dense('linear', inF, spec.numClasses));
  const [h, w, c] = spec.imageShape;
  if (spec.kind === 'mlp') {
    const sizes = [h * w * c, ...HIDDEN_MLP];
    HIDDEN_MLP.forEach((out, i) => dense(`fc${i + 1}`, sizes[i], out));
    head(sizes[sizes.length - 1]);
  } else if (spec.kind === 'cnn') {
    conv('conv1', c, 16);
    bn('bn1', 16);
    conv('conv2', 16, 32);
    bn('bn2', 32);
    head(Math.floor(Math.floor(h / 2) / 2) * Math.floor(Math.floor(w / 2) / 2) * 32);
  } else {
    conv('conv1', c, 16);
    bn('bn1', 16);
    let inC = 16;
    [16, 32, 64].forEach((planes, stage) => {
      for (let b = 0; b < RESNET_BLOCKS[spec.kind]; b++) {
        const name = `layer${stage + 1}.${b}`;
        conv(`${name}.conv1`, inC, planes);
        bn(`${name}.bn1`, planes);
        conv(`${name}.conv2`, planes, planes);
        bn(`${name}.bn2`, planes);
        inC = planes;
      }
    });
    head(64);
  }
  return [...params, ...state];
}
