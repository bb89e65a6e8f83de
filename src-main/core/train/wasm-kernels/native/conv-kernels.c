// Convolution kernels for training on the wasm backend, NHWC float32, compiled to a small wasm
// module that works directly on the tfjs-backend-wasm heap (it imports that module's memory).
// Built twice by build.sh: with relaxed SIMD (f32x4.relaxed_madd, a fused multiply-add where the
// CPU has one) and with plain SIMD128 (a multiply and an add). MADD below picks the instruction.
//
// The module must not touch memory it was not handed: no static data, no C stack (build.sh checks
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

/** dw [kh, kw, ci, co] from x [n, h, w, ci] and dy [n, oh, ow, co]; co a multiple of 8. */
EXPORT(conv2d_filter_grad)
void conv2d_filter_grad(const float *x, const float *dy, float *dw, int n, int h, int w, int ci, int oh, int ow,
                        int co, int kh, int kw, int sh, int sw, int pt, int pl) {
  for (int k = 0; k < kh * kw * ci * co; k += 4) st(dw + k, wasm_f32x4_splat(0.0f));
  for (int b = 0; b < n; b++) {
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
