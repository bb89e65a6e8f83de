// 3x3 stride-1 convolutions by Winograd's minimal filtering F(2x2, 3x3) (Lavin & Gray 2016, as
// oneDNN's and NNPACK's Winograd kernels): each 2x2 block of outputs ("tile") comes from a 4x4
// input patch d and the filter g as
//   Y = A^T [ (G g G^T) (.) (B^T d B) ] A          ((.) : element-wise)
// so the 36 multiplies per tile and channel pair of a direct convolution become 16, done as 16
// matrix products over channels (one per element p of the 4x4 transformed tile). The transforms'
// constants are 0, +-1 and 1/2, exact in float32: results differ from a direct convolution only by
// rounding. The same products give the input gradient (a forward convolution of dy with the filter
// flipped and its channels swapped, wino_filter's `flip`) and the filter gradient:
//   dg = G^T [ (A dY A^T) (.) (B^T d B) ] G, summed over tiles.
// NHWC float32; input channels a multiple of 4, output channels a multiple of 8. Images b0 <= b <
// b1 per call (one range per thread), in blocks of tiles whose transformed values stay in cache.
#include "kernels.h"

// Everything below is inlined into copies of the outer loops for the channel counts of CIFAR
// ResNets (16, 32, 64, and 16 -> 32 for the small CNN), where every offset becomes a constant the
// engine folds into its loads and stores; other counts run the same code with variables.
#define INLINE static inline __attribute__((always_inline))
#define WINO_SPECIALISE(CALL)                          \
  if (ci == 16 && co == 16) CALL(16, 16);              \
  else if (ci == 32 && co == 32) CALL(32, 32);         \
  else if (ci == 64 && co == 64) CALL(64, 64);         \
  else if (ci == 16 && co == 32) CALL(16, 32);         \
  else CALL(ci, co)

/**
 * Tiles transformed at once: 16 * block * (ci + co) floats (a block's transformed input and
 * products) stay in L2 cache; 64 tiles at 16 channels, 32 at 64.
 */
static inline int block_of(int ci, int co) {
  int b = 4096 / (ci + co) / 4 * 4;
  return b < 16 ? 16 : b > 64 ? 64 : b;
}

/**
 * Floats between two of the 16 planes of a block's transformed values (block rows of c): one cache
 * line more than they hold, so that the 16 planes a transform reads or writes together do not fall
 * into the same L1 cache sets (a power-of-two stride such as 64 tiles x 16 channels x 4 bytes would).
 */
static inline int plane_of(int block, int c) { return block * c + 16; }

/**
 * Transformed filter u [16][n / 8][k][8] (k = ci, n = co: each p's k x n matrix in panels of 8
 * columns, which the products read row after row) from f [3, 3, ci, co]; with flip, for the input
 * gradient, k = co and n = ci: u[p][o][c] from f[2 - i][2 - j][c][o].
 */
EXPORT(wino_filter)
void wino_filter(const float *f, float *u, int ci, int co, int flip) {
  int kk = flip ? co : ci, nn = flip ? ci : co;
  for (int k = 0; k < kk; k++) {
    for (int n = 0; n < nn; n++) {
      float g[3][3], q[4][3];
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) g[i][j] = flip ? f[((2 - i) * 3 + (2 - j)) * ci * co + n * co + k] : f[(i * 3 + j) * ci * co + k * co + n];
      for (int j = 0; j < 3; j++) {  // G g: rows
        q[0][j] = g[0][j];
        q[1][j] = (g[0][j] + g[1][j] + g[2][j]) * 0.5f;
        q[2][j] = (g[0][j] - g[1][j] + g[2][j]) * 0.5f;
        q[3][j] = g[2][j];
      }
      for (int i = 0; i < 4; i++) {  // (G g) G^T: columns
        float *up = u + (i * 4) * kk * nn + (n / 8 * kk + k) * 8 + n % 8;
        up[0] = q[i][0];
        up[kk * nn] = (q[i][0] + q[i][1] + q[i][2]) * 0.5f;
        up[2 * kk * nn] = (q[i][0] - q[i][1] + q[i][2]) * 0.5f;
        up[3 * kk * nn] = q[i][2];
      }
    }
  }
}

/**
 * B^T d B of one 4x4 patch d (rows `row` floats apart, c channels per position), 4 channels at a
 * time, into v[p][c] (p < 16, ps floats between two p). One row of the result at a time: each is
 * two rows of d combined, then its columns combined, so few vectors are live at once.
 */
INLINE void input_transform(const float *d, float *v, int row, int c, int ps) {
  for (int k = 0; k < c; k += 4) {
    const float *q = d + k;
    for (int i = 0; i < 4; i++) {
      // B^T's row i: d0 - d2, d1 + d2, d2 - d1, d1 - d3
      const float *pa = q + (i == 0 ? 0 : i == 3 ? 1 : i) * row, *pb = q + (i == 0 ? 2 : i == 1 ? 2 : i == 2 ? 1 : 3) * row;
      v128_t r[4];
      for (int j = 0; j < 4; j++) r[j] = i == 1 ? wasm_f32x4_add(ld(pa + j * c), ld(pb + j * c)) : wasm_f32x4_sub(ld(pa + j * c), ld(pb + j * c));
      float *o = v + i * 4 * ps + k;
      st(o, wasm_f32x4_sub(r[0], r[2]));
      st(o + ps, wasm_f32x4_add(r[1], r[2]));
      st(o + 2 * ps, wasm_f32x4_sub(r[2], r[1]));
      st(o + 3 * ps, wasm_f32x4_sub(r[1], r[3]));
    }
  }
}

/**
 * B^T d B for tiles t0 <= t < t1 (tw a row) of image x [h][w][c] padded by pt above and pl left
 * (zeros outside it), into v[p][t - t0][c]. Patches inside the image are read where they lie; the
 * others are first copied with their zeros into `patch` (16 * c floats).
 */
INLINE void input_tiles(const float *x, float *v, float *patch, int t0, int t1, int tw, int h, int w, int c, int pt, int pl, int ps) {
  for (int t = t0; t < t1; t++) {
    int y0 = 2 * (t / tw) - pt, x0 = 2 * (t % tw) - pl;
    float *vt = v + (t - t0) * c;
    if (y0 >= 0 && x0 >= 0 && y0 + 4 <= h && x0 + 4 <= w) {
      input_transform(x + (y0 * w + x0) * c, vt, w * c, c, ps);
      continue;
    }
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        int yy = y0 + i, xx = x0 + j;
        copy_or_zero(patch + (i * 4 + j) * c, yy >= 0 && yy < h && xx >= 0 && xx < w ? x + (yy * w + xx) * c : 0, c);
      }
    }
    input_transform(patch, vt, 4 * c, c, ps);
  }
}

// The products run in functions of their own, not inlined: the engine keeps a small function's
// accumulators in registers, where in a large one it spilled them. One copy per channel count
// (KK, NN constants, or variables for the generic copy).

// m[t][n] = sum_k v[t][k] u[k][n] for T tiles (rows) x 8 channels n (u: a panel, rows of 8), T*2
// accumulators in registers.
#define WINO_GEMM_TILE(T, KK, NN)                                                                          \
  {                                                                                                         \
    v128_t a0[T], a1[T];                                                                                    \
    for (int r = 0; r < T; r++) a0[r] = a1[r] = wasm_f32x4_splat(0.0f);                                  \
    const float *uk = u;                                                                                    \
    _Pragma("clang loop unroll(disable)")                                                                   \
    for (int k = 0; k < KK; k++, uk += 8) {                                                                 \
      v128_t b0 = ld(uk), b1 = ld(uk + 4);                                                                  \
      for (int r = 0; r < T; r++) {                                                                         \
        v128_t a = splat(v + (t + r) * KK + k);                                                             \
        a0[r] = MADD(a, b0, a0[r]);                                                                         \
        a1[r] = MADD(a, b1, a1[r]);                                                                         \
      }                                                                                                     \
    }                                                                                                       \
    for (int r = 0; r < T; r++) {                                                                           \
      st(m + (t + r) * NN, a0[r]);                                                                          \
      st(m + (t + r) * NN + 4, a1[r]);                                                                      \
    }                                                                                                       \
  }

/** m[t][0..8) = sum_k v[t][k] u[k][0..8) for t < tiles: one p, one panel of 8 output channels. */
#define WINO_GEMM(NAME, KK, NN)                                                                            \
  __attribute__((noinline)) static void NAME(const float *v, const float *u, float *m, int tiles, int kk, int nn) { \
    (void)kk;                                                                                               \
    (void)nn;                                                                                               \
    int t = 0;                                                                                              \
    for (; t + 4 <= tiles; t += 4) WINO_GEMM_TILE(4, KK, NN)                                               \
    for (; t < tiles; t++) WINO_GEMM_TILE(1, KK, NN)                                                       \
  }

WINO_GEMM(wino_gemm_16_16, 16, 16)
WINO_GEMM(wino_gemm_32_32, 32, 32)
WINO_GEMM(wino_gemm_64_64, 64, 64)
WINO_GEMM(wino_gemm_16_32, 16, 32)
WINO_GEMM(wino_gemm_any, kk, nn)

INLINE void wino_gemm(const float *v, const float *u, float *m, int tiles, int kk, int nn) {
  if (kk == 16 && nn == 16) wino_gemm_16_16(v, u, m, tiles, kk, nn);
  else if (kk == 32 && nn == 32) wino_gemm_32_32(v, u, m, tiles, kk, nn);
  else if (kk == 64 && nn == 64) wino_gemm_64_64(v, u, m, tiles, kk, nn);
  else if (kk == 16 && nn == 32) wino_gemm_16_32(v, u, m, tiles, kk, nn);
  else wino_gemm_any(v, u, m, tiles, kk, nn);
}

/** A^T m A for tiles t0 <= t < t1 into y [oh][ow][n] (outputs past oh or ow dropped); ps floats between two p. */
INLINE void output_transform(const float *m, float *y, int t0, int t1, int tw, int oh, int ow, int n, int ps) {
  for (int t = t0; t < t1; t++) {
    int oy = 2 * (t / tw), ox = 2 * (t % tw);
    const float *mt = m + (t - t0) * n;
    float *y0 = y + (oy * ow + ox) * n;
    int right = ox + 1 < ow, rows = oy + 1 < oh ? 2 : 1;
    for (int k = 0; k < n; k += 4) {
      const float *q = mt + k;
      for (int i = 0; i < rows; i++) {
        // A^T's row i: m0 + m1 + m2, m1 - m2 - m3
        v128_t s[4];
        for (int j = 0; j < 4; j++) {
          v128_t b = ld(q + (4 + j) * ps), c = ld(q + (8 + j) * ps);
          s[j] = i == 0 ? wasm_f32x4_add(wasm_f32x4_add(ld(q + j * ps), b), c) : wasm_f32x4_sub(wasm_f32x4_sub(b, c), ld(q + (12 + j) * ps));
        }
        float *yr = y0 + i * ow * n + k;
        st(yr, wasm_f32x4_add(wasm_f32x4_add(s[0], s[1]), s[2]));
        if (right) st(yr + n, wasm_f32x4_sub(wasm_f32x4_sub(s[1], s[2]), s[3]));
      }
    }
  }
}

/** Floats of scratch wino_forward needs per thread. */
EXPORT(wino_forward_scratch)
int wino_forward_scratch(int ci, int oh, int ow, int co) {
  int block = block_of(ci, co);
  return 16 * ci + 16 * (plane_of(block, ci) + plane_of(block, co));
}

/**
 * Images b0 <= b < b1 of y [n, oh, ow, co] = x [n, h, w, ci] convolved (3x3, stride 1, padding pt
 * above and pl left, zeros past the bottom and right edges) with the filter u = wino_filter(f).
 * scratch: wino_forward_scratch floats.
 */
INLINE void forward_images(const float *x, const float *u, float *y, float *scratch, int b0, int b1, int h, int w, int ci,
                           int oh, int ow, int co, int pt, int pl) {
  int th = (oh + 1) / 2, tw = (ow + 1) / 2, tiles = th * tw;
  int block = block_of(ci, co), vs = plane_of(block, ci), ms = plane_of(block, co);
  float *patch = scratch, *v = patch + 16 * ci, *m = v + 16 * vs;
  for (int b = b0; b < b1; b++) {
    for (int t0 = 0; t0 < tiles; t0 += block) {
      int t1 = t0 + block < tiles ? t0 + block : tiles;
      input_tiles(x + b * h * w * ci, v, patch, t0, t1, tw, h, w, ci, pt, pl, vs);
      for (int p = 0; p < 16; p++) {
        const float *vp = v + p * vs, *up = u + p * ci * co;
        float *mp = m + p * ms;
        for (int o = 0; o < co; o += 8) wino_gemm(vp, up + o * ci, mp + o, t1 - t0, ci, co);
      }
      output_transform(m, y + b * oh * ow * co, t0, t1, tw, oh, ow, co, ms);
    }
  }
}

EXPORT(wino_forward)
void wino_forward(const float *x, const float *u, float *y, float *scratch, int b0, int b1, int h, int w, int ci, int oh,
                  int ow, int co, int pt, int pl) {
#define CALL(CI, CO) forward_images(x, u, y, scratch, b0, b1, h, w, CI, oh, ow, CO, pt, pl)
  WINO_SPECIALISE(CALL);
#undef CALL
}

/**
 * A dY A^T for tiles t0 <= t < t1 of one image's dy [oh][ow][c] (2x2 blocks; outside oh x ow is
 * zero), 4 channels at a time, into z[p][t - t0][c].
 */
INLINE void grad_transform(const float *dy, float *z, int t0, int t1, int tw, int oh, int ow, int c, int ps) {
  v128_t zero = wasm_f32x4_splat(0.0f);
  for (int t = t0; t < t1; t++) {
    int oy = 2 * (t / tw), ox = 2 * (t % tw);
    int right = ox + 1 < ow, down = oy + 1 < oh;
    const float *d0 = dy + (oy * ow + ox) * c;
    float *zt = z + (t - t0) * c;
    for (int k = 0; k < c; k += 4) {
      v128_t a = ld(d0 + k), b = right ? ld(d0 + c + k) : zero;
      v128_t e = down ? ld(d0 + ow * c + k) : zero, g = down && right ? ld(d0 + (ow + 1) * c + k) : zero;
      // A dY: rows (d0; d0 + d1; d0 - d1; -d1), for both columns
      v128_t r[4][2] = {{a, b}, {wasm_f32x4_add(a, e), wasm_f32x4_add(b, g)}, {wasm_f32x4_sub(a, e), wasm_f32x4_sub(b, g)},
                        {wasm_f32x4_neg(e), wasm_f32x4_neg(g)}};
      for (int i = 0; i < 4; i++) {  // (A dY) A^T: columns
        float *o = zt + i * 4 * ps + k;
        st(o, r[i][0]);
        st(o + ps, wasm_f32x4_add(r[i][0], r[i][1]));
        st(o + 2 * ps, wasm_f32x4_sub(r[i][0], r[i][1]));
        st(o + 3 * ps, wasm_f32x4_neg(r[i][1]));
      }
    }
  }
}

/** s[c][o] += sum_t v[t][c] z[t][o] for t < tiles, all c < ci and o < co, 4 x 8 of them at a time in registers: one p. */
#define WINO_GRAD(NAME, CI, CO)                                                                            \
  __attribute__((noinline)) static void NAME(const float *v, const float *z, float *s, int tiles, int ci, int co) { \
    (void)ci;                                                                                               \
    (void)co;                                                                                               \
    for (int c = 0; c < CI; c += 4) {                                                                       \
      for (int o = 0; o < CO; o += 8) {                                                                     \
        v128_t a0[4], a1[4];                                                                                \
        for (int r = 0; r < 4; r++) a0[r] = a1[r] = wasm_f32x4_splat(0.0f);                              \
        const float *vt = v + c, *zt = z + o;                                                               \
        _Pragma("clang loop unroll(disable)")                                                               \
        for (int t = 0; t < tiles; t++, vt += CI, zt += CO) {                                               \
          v128_t b0 = ld(zt), b1 = ld(zt + 4);                                                              \
          for (int r = 0; r < 4; r++) {                                                                     \
            v128_t a = splat(vt + r);                                                                       \
            a0[r] = MADD(a, b0, a0[r]);                                                                     \
            a1[r] = MADD(a, b1, a1[r]);                                                                     \
          }                                                                                                 \
        }                                                                                                   \
        float *sc = s + c * CO + o;                                                                         \
        for (int r = 0; r < 4; r++) {                                                                       \
          st(sc + r * CO, wasm_f32x4_add(ld(sc + r * CO), a0[r]));                                          \
          st(sc + r * CO + 4, wasm_f32x4_add(ld(sc + r * CO + 4), a1[r]));                                  \
        }                                                                                                   \
      }                                                                                                     \
    }                                                                                                       \
  }

WINO_GRAD(wino_grad_16_16, 16, 16)
WINO_GRAD(wino_grad_32_32, 32, 32)
WINO_GRAD(wino_grad_64_64, 64, 64)
WINO_GRAD(wino_grad_16_32, 16, 32)
WINO_GRAD(wino_grad_any, ci, co)

INLINE void wino_grad(const float *v, const float *z, float *s, int tiles, int ci, int co) {
  if (ci == 16 && co == 16) wino_grad_16_16(v, z, s, tiles, ci, co);
  else if (ci == 32 && co == 32) wino_grad_32_32(v, z, s, tiles, ci, co);
  else if (ci == 64 && co == 64) wino_grad_64_64(v, z, s, tiles, ci, co);
  else if (ci == 16 && co == 32) wino_grad_16_32(v, z, s, tiles, ci, co);
  else wino_grad_any(v, z, s, tiles, ci, co);
}

/** Floats of scratch wino_filter_grad needs per thread. */
EXPORT(wino_filter_grad_scratch)
int wino_filter_grad_scratch(int ci, int oh, int ow, int co) {
  int block = block_of(ci, co);
  return 16 * ci + 16 * (plane_of(block, ci) + plane_of(block, co)) + 16 * ci * co;
}

/**
 * dw [3, 3, ci, co] (overwritten) of a 3x3 stride-1 convolution (padding pt above, pl left) from
 * images b0 <= b < b1 of x [n, h, w, ci] and dy [n, oh, ow, co]. scratch: wino_filter_grad_scratch.
 */
INLINE void filter_grad_images(const float *x, const float *dy, float *dw, float *scratch, int b0, int b1, int h, int w,
                               int ci, int oh, int ow, int co, int pt, int pl) {
  int th = (oh + 1) / 2, tw = (ow + 1) / 2, tiles = th * tw;
  int block = block_of(ci, co), vs = plane_of(block, ci), zs = plane_of(block, co);
  float *patch = scratch, *v = patch + 16 * ci, *z = v + 16 * vs, *s = z + 16 * zs;
  copy_or_zero(s, 0, 16 * ci * co);
  for (int b = b0; b < b1; b++) {
    for (int t0 = 0; t0 < tiles; t0 += block) {
      int t1 = t0 + block < tiles ? t0 + block : tiles;
      input_tiles(x + b * h * w * ci, v, patch, t0, t1, tw, h, w, ci, pt, pl, vs);
      grad_transform(dy + b * oh * ow * co, z, t0, t1, tw, oh, ow, co, zs);
      for (int p = 0; p < 16; p++) {
        const float *vp = v + p * vs, *zp = z + p * zs;
        wino_grad(vp, zp, s + p * ci * co, t1 - t0, ci, co);
      }
    }
  }
  // dw = G^T s G, 4 output channels at a time
  int ps = ci * co;
  for (int c = 0; c < ci; c++) {
    for (int o = 0; o < co; o += 4) {
      const float *s0 = s + c * co + o;
      v128_t half = wasm_f32x4_splat(0.5f), q[3][4];
      for (int j = 0; j < 4; j++) {  // G^T s: rows
        v128_t a = ld(s0 + j * ps), b = ld(s0 + (4 + j) * ps), e = ld(s0 + (8 + j) * ps), g = ld(s0 + (12 + j) * ps);
        q[0][j] = wasm_f32x4_add(a, wasm_f32x4_mul(wasm_f32x4_add(b, e), half));
        q[1][j] = wasm_f32x4_mul(wasm_f32x4_sub(b, e), half);
        q[2][j] = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_add(b, e), half), g);
      }
      for (int i = 0; i < 3; i++) {  // (G^T s) G: columns
        float *d = dw + (i * 3) * ps + c * co + o;
        st(d, wasm_f32x4_add(q[i][0], wasm_f32x4_mul(wasm_f32x4_add(q[i][1], q[i][2]), half)));
        st(d + ps, wasm_f32x4_mul(wasm_f32x4_sub(q[i][1], q[i][2]), half));
        st(d + 2 * ps, wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_add(q[i][1], q[i][2]), half), q[i][3]));
      }
    }
  }
}

EXPORT(wino_filter_grad)
void wino_filter_grad(const float *x, const float *dy, float *dw, float *scratch, int b0, int b1, int h, int w, int ci,
                      int oh, int ow, int co, int pt, int pl) {
#define CALL(CI, CO) filter_grad_images(x, dy, dw, scratch, b0, b1, h, w, CI, oh, ow, CO, pt, pl)
  WINO_SPECIALISE(CALL);
#undef CALL
}
