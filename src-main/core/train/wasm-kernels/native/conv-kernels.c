// Direct convolution kernels for training on the wasm backend, NHWC float32: the forward pass and
// the filter gradient of any convolution with output channels a multiple of 8 (winograd.c serves
// 3x3 stride-1 convolutions faster). See kernels.h for how the module is built and what it may touch.
#include "kernels.h"

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

// Forward convolution of one padded image: P consecutive output positions of a row x 8 output
// channels per tile, held in P*2 registers. For a filter row i the taps (j, c) are contiguous
// both in the padded image row and in the filter, so the inner loop runs over kw * ci of them.
// Outputs are `ostride` floats apart (co for a forward convolution).
#define FW_TILE(NAME, P)                                                                                   \
  static void NAME(const float *xrow, const float *f, float *yp, int ci, int co, int kh, int kw, int sw, \
                   int rowStride, int ostride) {                                                            \
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
      st(yp + p * ostride, a0[p]);                                                                          \
      st(yp + p * ostride + 4, a1[p]);                                                                      \
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
        for (; ox + 4 <= ow; ox += 4) fw_tile4(xrow + ox * sw * ci, f + o, yrow + ox * co + o, ci, co, kh, kw, sw, rowStride, co);
        for (; ox < ow; ox++) fw_tile1(xrow + ox * sw * ci, f + o, yrow + ox * co + o, ci, co, kh, kw, sw, rowStride, co);
      }
    }
  }
}

// Input gradient, dx[y][x][c] = sum over taps (i, j) and o of dy[(y + pt - i) / sh][(x + pl - j) / sw][o]
// w[i][j][c][o], the divisions exact. Split by the stride into phases: the dx rows y with
// (y + pt) % sh == ry take the filter rows i = ry, ry + sh, ... (and the same for columns), each a
// stride-1 correlation of dy with that phase's taps, reversed. So it runs as forward tiles (fw_tile)
// over a padded copy of dy, writing every sw-th dx pixel in place: no zeros multiplied, nothing
// interleaved afterwards.

/** Taps of phase r along an axis (filter k, stride s). */
static inline int taps_of(int r, int k, int s) { return r < k ? (k - r + s - 1) / s : 0; }

/** Where phase (ry, rx)'s taps start in the prepared filter, in floats: phases in row-major order. */
static inline int phase_at(int ry, int rx, int kh, int kw, int sh, int sw, int ci, int co) {
  int rows = 0, cols = 0;
  for (int r = 0; r < ry; r++) rows += taps_of(r, kh, sh);
  for (int q = 0; q < rx; q++) cols += taps_of(q, kw, sw);
  return (rows * kw + taps_of(ry, kh, sh) * cols) * ci * co;
}

/**
 * The filter w [kh, kw, ci, co] for conv2d_input_grad (kh * kw * ci * co floats in all): per phase,
 * its taps reversed, each [co][ci] (output channels of this pass contiguous).
 */
EXPORT(conv2d_input_grad_filter)
void conv2d_input_grad_filter(const float *w, float *wp, int kh, int kw, int ci, int co, int sh, int sw) {
  for (int ry = 0; ry < sh; ry++) {
    int ty = taps_of(ry, kh, sh);
    for (int rx = 0; rx < sw; rx++) {
      int tx = taps_of(rx, kw, sw);
      float *ph = wp + phase_at(ry, rx, kh, kw, sh, sw, ci, co);
      for (int m = 0; m < ty; m++) {
        for (int q = 0; q < tx; q++) {
          const float *tap = w + ((ry + sh * (ty - 1 - m)) * kw + rx + sw * (tx - 1 - q)) * ci * co;
          float *out = ph + (m * tx + q) * co * ci;
          for (int o = 0; o < co; o++)
            for (int c = 0; c < ci; c++) out[o * ci + c] = tap[c * co + o];
        }
      }
    }
  }
}

/** Floats of scratch conv2d_input_grad needs per thread: one image of dy with the padding the taps reach. */
EXPORT(conv2d_input_grad_scratch)
int conv2d_input_grad_scratch(int h, int w, int oh, int ow, int co, int kh, int kw, int sh, int sw, int pt, int pl) {
  int top = taps_of(0, kh, sh) - 1, left = taps_of(0, kw, sw) - 1;
  int rows = (h - 1 + pt) / sh + 1, cols = (w - 1 + pl) / sw + 1;
  return (top + (rows > oh ? rows : oh)) * (left + (cols > ow ? cols : ow)) * co;
}

/**
 * Images b0 <= b < b1 of dx [n, h, w, ci] of a convolution (filter kh x kw, stride sh x sw, padding
 * pt above and pl left) from dy [n, oh, ow, co] and wp = conv2d_input_grad_filter(w); ci a multiple
 * of 8. scratch: conv2d_input_grad_scratch floats.
 */
EXPORT(conv2d_input_grad)
void conv2d_input_grad(const float *dy, const float *wp, float *dx, float *scratch, int b0, int b1, int h, int w, int ci,
                       int oh, int ow, int co, int kh, int kw, int sh, int sw, int pt, int pl) {
  // dy padded by the most taps any phase has, less one, above and left, and zeros below and right
  int top = taps_of(0, kh, sh) - 1, left = taps_of(0, kw, sw) - 1;
  int rows = (h - 1 + pt) / sh + 1, cols = (w - 1 + pl) / sw + 1;
  int hp = top + (rows > oh ? rows : oh), wq = left + (cols > ow ? cols : ow), rowStride = wq * co;
  for (int b = b0; b < b1; b++) {
    pad_image(dy + b * oh * ow * co, scratch, oh, ow, co, hp, wq, top, left);
    float *db = dx + b * h * w * ci;
    for (int y = 0; y < h; y++) {
      int ry = (y + pt) % sh, ty = taps_of(ry, kh, sh);
      float *dxr = db + y * w * ci;
      // dy row (y + pt - ry) / sh - m for the m-th tap, m < ty: reversed, rows from that less ty - 1
      const float *prow = scratch + ((y + pt - ry) / sh - (ty - 1) + top) * rowStride;
      for (int rx = 0; rx < sw; rx++) {
        int tx = taps_of(rx, kw, sw);
        int x0 = ((rx - pl) % sw + sw) % sw;  // the first dx column of this phase
        if (x0 >= w) continue;
        int count = (w - x0 + sw - 1) / sw;
        float *out = dxr + x0 * ci;
        if (ty == 0 || tx == 0) {  // no tap reaches these pixels (a filter smaller than its stride)
          for (int q = 0; q < count; q++) copy_or_zero(out + q * sw * ci, 0, ci);
          continue;
        }
        const float *f = wp + phase_at(ry, rx, kh, kw, sh, sw, ci, co);
        // dy column of the q-th pixel: (x0 + pl - rx) / sw + q, less tx - 1 for the reversed taps
        const float *pcol = prow + ((x0 + pl - rx) / sw - (tx - 1) + left) * co;
        for (int c = 0; c < ci; c += 8) {
          int q = 0;
          for (; q + 4 <= count; q += 4) fw_tile4(pcol + q * co, f + c, out + q * sw * ci + c, co, ci, ty, tx, 1, rowStride, sw * ci);
          for (; q < count; q++) fw_tile1(pcol + q * co, f + c, out + q * sw * ci + c, co, ci, ty, tx, 1, rowStride, sw * ci);
        }
      }
    }
  }
}
