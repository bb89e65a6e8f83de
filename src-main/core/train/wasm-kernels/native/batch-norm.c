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

#define INLINE static inline __attribute__((always_inline))

/**
 * y = centred * scale + beta (scale, beta [c]), then + residual where one is given (not null),
 * then max(y, 0) with relu: the layer's ReLU (and a residual block's addition) in the same pass.
 */
INLINE void bn_apply_rows(const float *cp, const float *scale, const float *beta, const float *rp, float *yp, int n, int c,
                          int relu) {
  v128_t zero = wasm_f32x4_splat(0.0f);
  for (int p = 0; p < n; p++, cp += c, yp += c, rp = rp ? rp + c : 0) {
    for (int k = 0; k < c; k += 4) {
      v128_t y = wasm_f32x4_add(wasm_f32x4_mul(ld(cp + k), ld(scale + k)), ld(beta + k));
      if (rp) y = wasm_f32x4_add(y, ld(rp + k));
      st(yp + k, relu ? wasm_f32x4_max(y, zero) : y);
    }
  }
}

EXPORT(bn_apply)
void bn_apply(const float *centred, const float *scale, const float *beta, const float *residual, float *y, int b0, int b1,
              int hw, int c, int relu) {
  int at = b0 * hw * c, n = (b1 - b0) * hw;
  const float *rp = residual ? residual + at : 0;
  if (relu && rp) bn_apply_rows(centred + at, scale, beta, rp, y + at, n, c, 1);
  else if (relu) bn_apply_rows(centred + at, scale, beta, 0, y + at, n, c, 1);
  else if (rp) bn_apply_rows(centred + at, scale, beta, rp, y + at, n, c, 0);
  else bn_apply_rows(centred + at, scale, beta, 0, y + at, n, c, 0);
}

/** The gradient reaching batch norm's output: dy, or where a ReLU followed (mask = its output, not null), dy where mask > 0, else 0. */
INLINE v128_t bn_grad_in(const float *dp, const float *mp) {
  v128_t d = ld(dp);
  return mp ? wasm_v128_and(d, wasm_f32x4_gt(ld(mp), wasm_f32x4_splat(0.0f))) : d;
}

INLINE void bn_grad_sums_image(const float *dp, const float *mp, const float *cp, float *scratch, float *gp, int hw, int c) {
  for (int p = 0; p < hw; p++, dp += c, cp += c, mp = mp ? mp + c : 0, gp = gp ? gp + c : 0) {
    for (int k = 0; k < c; k += 4) {
      v128_t d = bn_grad_in(dp + k, mp ? mp + k : 0);
      if (gp) st(gp + k, d);
      st(scratch + k, wasm_f32x4_add(ld(scratch + k), d));
      st(scratch + c + k, wasm_f32x4_add(ld(scratch + c + k), wasm_f32x4_mul(d, ld(cp + k))));
    }
  }
}

/**
 * sums[k] = sum of g, sums[c + k] = sum of g * centred (scratch: 2c floats), g = bn_grad_in(dy,
 * mask); g is also written to gOut where one is given (a residual's gradient).
 */
EXPORT(bn_grad_sums)
void bn_grad_sums(const float *dy, const float *mask, const float *centred, double *sums, float *scratch, float *gOut, int b0,
                  int b1, int hw, int c) {
  bn_clear(scratch, sums, 2 * c);
  for (int b = b0; b < b1; b++) {
    int at = b * hw * c;
    if (mask && gOut) bn_grad_sums_image(dy + at, mask + at, centred + at, scratch, gOut + at, hw, c);
    else if (mask) bn_grad_sums_image(dy + at, mask + at, centred + at, scratch, 0, hw, c);
    else bn_grad_sums_image(dy + at, 0, centred + at, scratch, 0, hw, c);
    bn_flush(scratch, sums, 2 * c);
  }
}

INLINE void bn_grad_apply_rows(const float *dp, const float *mp, const float *cp, const float *k_, const float *meanDy,
                               const float *a, float *xp, int n, int c) {
  for (int p = 0; p < n; p++, dp += c, cp += c, xp += c, mp = mp ? mp + c : 0) {
    for (int k = 0; k < c; k += 4) {
      v128_t v = wasm_f32x4_sub(bn_grad_in(dp + k, mp ? mp + k : 0), wasm_f32x4_mul(ld(cp + k), ld(k_ + k)));
      st(xp + k, wasm_f32x4_mul(wasm_f32x4_sub(v, ld(meanDy + k)), ld(a + k)));
    }
  }
}

/** dx = ((g - centred * k) - meanDy) * a (k, meanDy, a [c]; g = bn_grad_in(dy, mask)). */
EXPORT(bn_grad_apply)
void bn_grad_apply(const float *dy, const float *mask, const float *centred, const float *k_, const float *meanDy, const float *a,
                   float *dx, int b0, int b1, int hw, int c) {
  int at = b0 * hw * c, n = (b1 - b0) * hw;
  if (mask) bn_grad_apply_rows(dy + at, mask + at, centred + at, k_, meanDy, a, dx + at, n, c);
  else bn_grad_apply_rows(dy + at, 0, centred + at, k_, meanDy, a, dx + at, n, c);
}
