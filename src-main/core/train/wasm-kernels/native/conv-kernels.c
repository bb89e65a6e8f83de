// Convolution kernels for training on the wasm backend, NHWC float32, compiled to a small wasm
// module that works directly on the tfjs-backend-wasm heap (it imports that module's memory).
// Max pooling's gradient lives here too: it runs on the same heap and the same worker pool.
// Built by build.mjs with relaxed SIMD (f32x4.relaxed_madd, a fused multiply-add where the CPU has
// one) and with plain SIMD128 (a multiply and an add), each for an unshared memory (the
// single-threaded backend build) and a shared one (the threaded build). MADD picks the instruction.
//
// The module must not touch memory it was not handed: no static data, no C stack (build.mjs checks
// that the linked module has no data segment and never reads its stack pointer), no libc.
#include <wasm_simd128.h>

#ifdef DIVE_RELAXED
#define MADD(a, b, c) wasm_f32x4_relaxed_madd((a), (b), (c))
#else
#define MADD(a, b, c) wasm_f32x4_add(wasm_f32x4_mul((a), (b)), (c))
#endif

#define EXPORT(name) __attribute__((export_name(#name)))

static inline v128_t ld(const float *p) { return wasm_v128_load(p); }
static inline void st(float *p, v128_t v) { wasm_v128_store(p, v); }
static inline v128_t splat(const float *p) { return wasm_v128_load32_splat(p); }

/** First and one past the last output index o with 0 <= o * stride + tap - pad < size. */
static inline int lo_of(int tap, int pad, int stride) {
  int d = pad - tap;
  return d <= 0 ? 0 : (d + stride - 1) / stride;
}
static inline int hi_of(int tap, int pad, int stride, int size, int out) {
  int d = size - 1 + pad - tap;
  if (d < 0) return 0;
  int h = d / stride + 1;
  return h < out ? h : out;
}

// Filter gradient, one image at a time (its x and dy stay in cache while every tap, channel tile
// and output-channel tile passes over them):
//   dw[i][j][c][o] += sum_{oy, ox} x[oy*sh + i - pt][ox*sw + j - pl][c] * dy[oy][ox][o]
// A tile is R input channels x 8 output channels held in R*2 registers across all positions.
#define FG_TILE(NAME, R)                                                                                   \
  static void NAME(const float *x, const float *dy, float *dwt, int ci, int co, int w, int ow, int sh,  \
                   int sw, int y0, int y1, int x0, int x1, int rowOff, int colOff) {                        \
    v128_t a0[R], a1[R];                                                                                    \
    for (int r = 0; r < R; r++) a0[r] = a1[r] = wasm_f32x4_splat(0.0f);                                  \
    for (int oy = y0; oy < y1; oy++) {                                                                      \
      const float *xr = x + ((oy * sh + rowOff) * w + x0 * sw + colOff) * ci;                               \
      const float *dr = dy + (oy * ow + x0) * co;                                                           \
      for (int ox = x0; ox < x1; ox++, xr += sw * ci, dr += co) {                                           \
        v128_t b0 = ld(dr), b1 = ld(dr + 4);                                                                \
        for (int r = 0; r < R; r++) {                                                                       \
          v128_t a = splat(xr + r);                                                                         \
          a0[r] = MADD(a, b0, a0[r]);                                                                       \
          a1[r] = MADD(a, b1, a1[r]);                                                                       \
        }                                                                                                   \
      }                                                                                                     \
    }                                                                                                       \
    for (int r = 0; r < R; r++) {                                                                           \
      st(dwt + r * co, wasm_f32x4_add(ld(dwt + r * co), a0[r]));                                            \
      st(dwt + r * co + 4, wasm_f32x4_add(ld(dwt + r * co + 4), a1[r]));                                    \
    }                                                                                                       \
  }

FG_TILE(fg_tile4, 4)
FG_TILE(fg_tile3, 3)
FG_TILE(fg_tile2, 2)
FG_TILE(fg_tile1, 1)

/**
 * dw [kh, kw, ci, co] from images b0 <= b < b1 of x [n, h, w, ci] and dy [n, oh, ow, co]; co a
 * multiple of 8. Threads each take a range of images into their own dw, summed afterwards.
 */
EXPORT(conv2d_filter_grad)
void conv2d_filter_grad(const float *x, const float *dy, float *dw, int b0, int b1, int h, int w, int ci, int oh,
                        int ow, int co, int kh, int kw, int sh, int sw, int pt, int pl) {
  for (int k = 0; k < kh * kw * ci * co; k += 4) st(dw + k, wasm_f32x4_splat(0.0f));
  for (int b = b0; b < b1; b++) {
    const float *xb = x + b * h * w * ci;
    const float *db = dy + b * oh * ow * co;
    for (int i = 0; i < kh; i++) {
      int y0 = lo_of(i, pt, sh), y1 = hi_of(i, pt, sh, h, oh);
      for (int j = 0; j < kw; j++) {
        int x0 = lo_of(j, pl, sw), x1 = hi_of(j, pl, sw, w, ow);
        if (y0 >= y1 || x0 >= x1) continue;
        float *dwij = dw + (i * kw + j) * ci * co;
        for (int o = 0; o < co; o += 8) {
          int c = 0;
          for (; c + 4 <= ci; c += 4)
            fg_tile4(xb + c, db + o, dwij + c * co + o, ci, co, w, ow, sh, sw, y0, y1, x0, x1, i - pt, j - pl);
          // the last 1 to 3 channels (an RGB stem) in one tile
          if (ci - c == 3) fg_tile3(xb + c, db + o, dwij + c * co + o, ci, co, w, ow, sh, sw, y0, y1, x0, x1, i - pt, j - pl);
          if (ci - c == 2) fg_tile2(xb + c, db + o, dwij + c * co + o, ci, co, w, ow, sh, sw, y0, y1, x0, x1, i - pt, j - pl);
          if (ci - c == 1) fg_tile1(xb + c, db + o, dwij + c * co + o, ci, co, w, ow, sh, sw, y0, y1, x0, x1, i - pt, j - pl);
        }
      }
    }
  }
}

/** Copies n floats (or writes zeros when src is null), 4 at a time where it can. */
static void copy_or_zero(float *dst, const float *src, int n) {
  int k = 0;
  if (src) {
    for (; k + 4 <= n; k += 4) st(dst + k, ld(src + k));
    for (; k < n; k++) dst[k] = src[k];
  } else {
    for (; k + 4 <= n; k += 4) st(dst + k, wasm_f32x4_splat(0.0f));
    for (; k < n; k++) dst[k] = 0.0f;
  }
}

/** Image x [h, w, ci] into xp [hp, wp, ci], shifted by (pt, pl), zeros around it. */
static void pad_image(const float *x, float *xp, int h, int w, int ci, int hp, int wp, int pt, int pl) {
  int inside = w < wp - pl ? w : wp - pl;
  for (int y = 0; y < hp; y++) {
    float *row = xp + y * wp * ci;
    int sy = y - pt;
    if (sy < 0 || sy >= h) {
      copy_or_zero(row, 0, wp * ci);
      continue;
    }
    copy_or_zero(row, 0, pl * ci);
    copy_or_zero(row + pl * ci, x + sy * w * ci, inside * ci);
    copy_or_zero(row + (pl + inside) * ci, 0, (wp - pl - inside) * ci);
  }
}

// Forward convolution of one padded image: P consecutive output positions of a row x 8 output
// channels per tile, held in P*2 registers. For a filter row i the taps (j, c) are contiguous
// both in the padded image row and in the filter, so the inner loop runs over kw * ci of them.
#define FW_TILE(NAME, P)                                                                                   \
  static void NAME(const float *xrow, const float *f, float *yp, int ci, int co, int kh, int kw, int sw, \
                   int rowStride) {                                                                         \
    v128_t a0[P], a1[P];                                                                                    \
    for (int p = 0; p < P; p++) a0[p] = a1[p] = wasm_f32x4_splat(0.0f);                                  \
    int taps = kw * ci, step = sw * ci;                                                                     \
    for (int i = 0; i < kh; i++) {                                                                          \
      const float *xr = xrow + i * rowStride;                                                               \
      const float *fr = f + i * taps * co;                                                                  \
      for (int t = 0; t < taps; t++, fr += co) {                                                            \
        v128_t b0 = ld(fr), b1 = ld(fr + 4);                                                                \
        for (int p = 0; p < P; p++) {                                                                       \
          v128_t a = splat(xr + p * step + t);                                                              \
          a0[p] = MADD(a, b0, a0[p]);                                                                       \
          a1[p] = MADD(a, b1, a1[p]);                                                                       \
        }                                                                                                   \
      }                                                                                                     \
    }                                                                                                       \
    for (int p = 0; p < P; p++) {                                                                           \
      st(yp + p * co, a0[p]);                                                                               \
      st(yp + p * co + 4, a1[p]);                                                                           \
    }                                                                                                       \
  }

FW_TILE(fw_tile4, 4)
FW_TILE(fw_tile1, 1)

/**
 * Images b0 <= b < b1 of y [n, oh, ow, co] from x [n, h, w, ci] and filter [kh, kw, ci, co]; co a
 * multiple of 8. Each image is first copied into `scratch` ([hp, wp, ci] floats, one per thread,
 * hp = (oh - 1) * sh + kh and wp = (ow - 1) * sw + kw) with its padding, unless there is none.
 */
EXPORT(conv2d_forward)
void conv2d_forward(const float *x, const float *f, float *y, float *scratch, int b0, int b1, int h, int w, int ci,
                    int oh, int ow, int co, int kh, int kw, int sh, int sw, int pt, int pl) {
  int hp = (oh - 1) * sh + kh, wp = (ow - 1) * sw + kw;
  int direct = pt == 0 && pl == 0 && hp <= h && wp <= w;
  int rowStride = (direct ? w : wp) * ci;
  for (int b = b0; b < b1; b++) {
    const float *xb = x + b * h * w * ci;
    if (!direct) {
      pad_image(xb, scratch, h, w, ci, hp, wp, pt, pl);
      xb = scratch;
    }
    float *yb = y + b * oh * ow * co;
    for (int oy = 0; oy < oh; oy++) {
      const float *xrow = xb + oy * sh * rowStride;
      float *yrow = yb + oy * ow * co;
      for (int o = 0; o < co; o += 8) {
        int ox = 0;
        for (; ox + 4 <= ow; ox += 4) fw_tile4(xrow + ox * sw * ci, f + o, yrow + ox * co + o, ci, co, kh, kw, sw, rowStride);
        for (; ox < ow; ox++) fw_tile1(xrow + ox * sw * ci, f + o, yrow + ox * co + o, ci, co, kh, kw, sw, rowStride);
      }
    }
  }
}

/**
 * dx of max pooling for images b0 <= b < b1 of x [n, h, w, c] (overwritten there) from dy
 * [n, oh, ow, c]. As TensorFlow (and max-pool-grad.ts's JavaScript pass, which this replaces):
 * each window's first maximum in row-major order takes the gradient, padding never wins (the window
 * is clipped to the image), neither does NaN or -Infinity, and overlapping windows add up in output
 * order. Four channels at a time: a strict compare keeps the first maximum per lane, then each
 * lane's gradient is added at its own index.
 */
EXPORT(max_pool_grad)
void max_pool_grad(const float *x, const float *dy, float *dx, int b0, int b1, int h, int w, int c, int oh, int ow,
                   int kh, int kw, int sh, int sw, int pt, int pl) {
  int image = h * w * c;
  v128_t lanes = wasm_i32x4_make(0, 1, 2, 3);
  for (int b = b0; b < b1; b++) {
    const float *xb = x + b * image;
    float *db = dx + b * image;
    const float *g = dy + b * oh * ow * c;
    copy_or_zero(db, 0, image);
    for (int oy = 0; oy < oh; oy++) {
      int y0 = oy * sh - pt;
      int ya = y0 < 0 ? 0 : y0, ye = y0 + kh < h ? y0 + kh : h;
      for (int ox = 0; ox < ow; ox++, g += c) {
        int x0 = ox * sw - pl;
        int xa = x0 < 0 ? 0 : x0, xe = x0 + kw < w ? x0 + kw : w;
        if (ya >= ye || xa >= xe) continue;
        int k = 0;
        for (; k + 4 <= c; k += 4) {
          v128_t best = wasm_f32x4_splat(-__builtin_inff()), at = wasm_i32x4_splat(-1);
          for (int y = ya; y < ye; y++) {
            for (int xx = xa; xx < xe; xx++) {
              int i = (y * w + xx) * c + k;
              v128_t v = ld(xb + i);
              v128_t gt = wasm_f32x4_gt(v, best);
              best = wasm_v128_bitselect(v, best, gt);
              at = wasm_v128_bitselect(wasm_i32x4_add(wasm_i32x4_splat(i), lanes), at, gt);
            }
          }
          int i0 = wasm_i32x4_extract_lane(at, 0), i1 = wasm_i32x4_extract_lane(at, 1);
          int i2 = wasm_i32x4_extract_lane(at, 2), i3 = wasm_i32x4_extract_lane(at, 3);
          if (i0 >= 0) db[i0] += g[k];
          if (i1 >= 0) db[i1] += g[k + 1];
          if (i2 >= 0) db[i2] += g[k + 2];
          if (i3 >= 0) db[i3] += g[k + 3];
        }
        for (; k < c; k++) {
          float best = -__builtin_inff();
          int at = -1;
          for (int y = ya; y < ye; y++) {
            for (int xx = xa; xx < xe; xx++) {
              int i = (y * w + xx) * c + k;
              if (xb[i] > best) {
                best = xb[i];
                at = i;
              }
            }
          }
          if (at >= 0) db[at] += g[k];
        }
      }
    }
  }
}

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
