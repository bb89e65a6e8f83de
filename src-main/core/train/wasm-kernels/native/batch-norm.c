// Batch norm in training on the wasm backend's heap, NHWC float32 (see kernels.h).
#include "kernels.h"

// Batch norm in training, over the channels (the last axis, c of them, a multiple of 4) of images
// b0 <= b < b1, each hw positions of c channels. Per-channel sums go through `scratch` (floats,
// one image at a time) into `sums` (doubles), so a thread's sum over many images loses nothing to
// float32 accumulation. The caller adds the threads' sums and does the per-channel arithmetic.
// Each element-wise pass does its operations in the order of the TF.js composite it replaces.

/** Adds one image's per-channel float sums into the double sums and clears them. */
static void bn_flush(float *scratch, double *sums, int n) {
  for (int k = 0; k < n; k++) {
    sums[k] += scratch[k];
    scratch[k] = 0.0f;
  }
}

static void bn_clear(float *scratch, double *sums, int n) {
  for (int k = 0; k < n; k++) {
    sums[k] = 0.0;
    scratch[k] = 0.0f;
  }
}

/** sums[k] = sum of x over those images' positions, channel k. */
EXPORT(bn_sum)
void bn_sum(const float *x, double *sums, float *scratch, int b0, int b1, int hw, int c) {
  bn_clear(scratch, sums, c);
  for (int b = b0; b < b1; b++) {
    const float *xp = x + b * hw * c;
    for (int p = 0; p < hw; p++, xp += c) {
      for (int k = 0; k < c; k += 4) st(scratch + k, wasm_f32x4_add(ld(scratch + k), ld(xp + k)));
    }
    bn_flush(scratch, sums, c);
  }
}

/** centred = x - mean (mean [c]); sums[k] = sum of centred^2. */
EXPORT(bn_centre)
void bn_centre(const float *x, const float *mean, float *centred, double *sums, float *scratch, int b0, int b1, int hw,
               int c) {
  bn_clear(scratch, sums, c);
  for (int b = b0; b < b1; b++) {
    const float *xp = x + b * hw * c;
    float *cp = centred + b * hw * c;
    for (int p = 0; p < hw; p++, xp += c, cp += c) {
      for (int k = 0; k < c; k += 4) {
        v128_t d = wasm_f32x4_sub(ld(xp + k), ld(mean + k));
        st(cp + k, d);
        st(scratch + k, wasm_f32x4_add(ld(scratch + k), wasm_f32x4_mul(d, d)));
      }
    }
    bn_flush(scratch, sums, c);
  }
}

/** y = centred * scale + beta (scale, beta [c]). */
EXPORT(bn_apply)
void bn_apply(const float *centred, const float *scale, const float *beta, float *y, int b0, int b1, int hw, int c) {
  for (int b = b0; b < b1; b++) {
    const float *cp = centred + b * hw * c;
    float *yp = y + b * hw * c;
    for (int p = 0; p < hw; p++, cp += c, yp += c) {
      for (int k = 0; k < c; k += 4) st(yp + k, wasm_f32x4_add(wasm_f32x4_mul(ld(cp + k), ld(scale + k)), ld(beta + k)));
    }
  }
}

/** sums[k] = sum of dy, sums[c + k] = sum of dy * centred (scratch: 2c floats). */
EXPORT(bn_grad_sums)
void bn_grad_sums(const float *dy, const float *centred, double *sums, float *scratch, int b0, int b1, int hw, int c) {
  bn_clear(scratch, sums, 2 * c);
  for (int b = b0; b < b1; b++) {
    const float *dp = dy + b * hw * c;
    const float *cp = centred + b * hw * c;
    for (int p = 0; p < hw; p++, dp += c, cp += c) {
      for (int k = 0; k < c; k += 4) {
        v128_t d = ld(dp + k);
        st(scratch + k, wasm_f32x4_add(ld(scratch + k), d));
        st(scratch + c + k, wasm_f32x4_add(ld(scratch + c + k), wasm_f32x4_mul(d, ld(cp + k))));
      }
    }
    bn_flush(scratch, sums, 2 * c);
  }
}

/** dx = ((dy - centred * k) - meanDy) * a (k, meanDy, a [c]). */
EXPORT(bn_grad_apply)
void bn_grad_apply(const float *dy, const float *centred, const float *k_, const float *meanDy, const float *a, float *dx,
                   int b0, int b1, int hw, int c) {
  for (int b = b0; b < b1; b++) {
    const float *dp = dy + b * hw * c;
    const float *cp = centred + b * hw * c;
    float *xp = dx + b * hw * c;
    for (int p = 0; p < hw; p++, dp += c, cp += c, xp += c) {
      for (int k = 0; k < c; k += 4) {
        v128_t v = wasm_f32x4_sub(ld(dp + k), wasm_f32x4_mul(ld(cp + k), ld(k_ + k)));
        st(xp + k, wasm_f32x4_mul(wasm_f32x4_sub(v, ld(meanDy + k)), ld(a + k)));
      }
    }
  }
}
