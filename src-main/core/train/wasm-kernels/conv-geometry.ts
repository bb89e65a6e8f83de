// Index arithmetic that turns the two convolution gradients into forward convolutions, per spatial
// axis. Forward: out[o] = sum_i in[o * stride + i - padBefore] * w[i], o < outSize, i < filterSize.

/** Padding of one axis; a negative amount means that many edge rows are cropped instead. */
export interface AxisPad {
  before: number;
  after: number;
}

/**
 * Filter gradient as a forward convolution of x (batch moved to channels) with dy as the filter:
 *   dw[i] = sum_o x[i - padBefore + stride * o] * dy[o]
 * i.e. a stride-1 convolution dilated by `stride`, whose output size is filterSize.
 */
export function filterGradAxis(inSize: number, filterSize: number, outSize: number, stride: number, padBefore: number): AxisPad & { dilation: number } {
  // The last tap reads x[filterSize - 1 - padBefore + stride * (outSize - 1)]; anything past it is cropped.
  return {
    before: padBefore,
    after: filterSize - padBefore + stride * (outSize - 1) - inSize,
    dilation: outSize > 1 ? stride : 1,
  };
}

/** One output phase r (dx rows r, r + s, r + 2s, ...) of the input gradient along one axis. */
export interface InputGradPhase extends AxisPad {
  /** the filter taps feeding this phase are first, first + s, ... (taps of them) */
  first: number;
  taps: number;
}

/**
 * Input gradient split into `stride` phases, each a stride-1 forward convolution of dy with the
 * reversed sub-filter w[first::stride]; every phase yields `blocks` = ceil(inSize / stride) rows
 * (rows past inSize are cropped after interleaving). For phase r and tap i = first + s*m:
 *   dx[s*a + r] = sum_m dy[a + q - m] * w[first + s*m],  q = (r + padBefore - first) / s,
 * a correlation with the reversed taps padded by taps - 1 - q before.
 */
export function inputGradAxis(inSize: number, filterSize: number, outSize: number, stride: number, padBefore: number): { blocks: number; phases: InputGradPhase[] } {
  const blocks = Math.ceil(inSize / stride);
  const phases: InputGradPhase[] = [];
  for (let r = 0; r < stride; r++) {
    const first = (r + padBefore) % stride;
    const taps = first < filterSize ? Math.ceil((filterSize - first) / stride) : 0;
    const q = (r + padBefore - first) / stride;
    phases.push({ first, taps, before: taps - 1 - q, after: blocks + q - outSize });
  }
  return { blocks, phases };
}

/** Splits signed amounts into a crop (applied to the data) and a non-negative convolution padding. */
export function splitPad(p: AxisPad): { crop: [number, number]; pad: [number, number] } {
  return { crop: [Math.min(0, p.before), Math.min(0, p.after)], pad: [Math.max(0, p.before), Math.max(0, p.after)] };
}
