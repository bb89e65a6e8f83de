// 3x3 stride-1 convolutions by Winograd's minimal filtering F(4x4, 3x3) (Lavin & Gray 2016, the
// algorithm of oneDNN's "wino_4x3" training kernels and of cuDNN's Winograd convolutions): each 4x4
// block of outputs ("tile") comes from a 6x6 input patch d and the filter g as
//   Y = A^T [ (G g G^T) (.) (B^T d B) ] A          ((.) : element-wise)
// so the 144 multiplies per tile and channel pair of a direct convolution become 36, done as 36
// matrix products over channels (winograd-gemm.h), one per element p of the 6x6 transformed tile.
// Points 0, +-1, +-2: results differ from a direct convolution by rounding, about ten times a
// direct convolution's (1e-6 of the output's scale here). The same products give the input
// gradient (a forward convolution of dy with the filter flipped and its channels swapped,
// wino_filter's `flip`) and the filter gradient:
//   dg = G^T [ (A dY A^T) (.) (B^T d B) ] G, summed over tiles.
// NHWC float32; input channels a multiple of 4, output channels a multiple of 8. Images b0 <= b <
// b1 per call (one range per thread), their tiles in blocks whose transformed values stay in cache,
// each tile's 36 transformed elements together ([tile][p][channel]).
#include "winograd-gemm.h"

// The transforms and loops below are inlined into copies for the channel counts of CIFAR ResNets
// (16, 32, 64, and 16 -> 32 for the small CNN), where every offset becomes a constant the engine
// folds into its loads and stores; other counts run the same code with variables.
#define WINO_SPECIALISE(CALL)                          \
  if (ci == 16 && co == 16) CALL(16, 16);              \
  else if (ci == 32 && co == 32) CALL(32, 32);         \
  else if (ci == 64 && co == 64) CALL(64, 64);         \
  else if (ci == 16 && co == 32) CALL(16, 32);         \
  else CALL(ci, co)

#define P 36  // elements of a transformed tile

/**
 * Tiles transformed at once: a block's transformed input and products, 36 * block * (ci + co)
 * floats, stay in L2 cache (`budget` floats: more for the filter gradient, whose sums over a block's
 * tiles are added into memory once per block).
 */
static inline int block_of(int ci, int co, int budget) {
  int b = budget / (P * (ci + co)) / 4 * 4;
  return b < 8 ? 8 : b > 64 ? 64 : b;
}
#define FORWARD_BUDGET 65536
#define GRAD_BUDGET 131072

static inline v128_t k4(float v) { return wasm_f32x4_splat(v); }

/** 1-D B^T d of 6 values (rows of B^T: 4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1). */
#define BT6(d, o)                                                                             \
  do {                                                                                        \
    v128_t a_ = wasm_f32x4_sub(d[4], d[2]), b_ = wasm_f32x4_sub(d[1], d[3]);                  \
    o[0] = MADD(d[0], k4(4.0f), MADD(d[2], k4(-5.0f), d[4]));                                 \
    o[1] = MADD(wasm_f32x4_add(d[1], d[2]), k4(-4.0f), wasm_f32x4_add(d[3], d[4]));           \
    o[2] = MADD(wasm_f32x4_sub(d[1], d[2]), k4(4.0f), wasm_f32x4_sub(d[4], d[3]));            \
    o[3] = MADD(b_, k4(-2.0f), a_);                                                           \
    o[4] = MADD(b_, k4(2.0f), a_);                                                            \
    o[5] = MADD(d[1], k4(4.0f), MADD(d[3], k4(-5.0f), d[5]));                                 \
  } while (0)

/** 1-D A^T m of 6 values into 4 (rows of A^T: 1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1). */
#define AT6(m, o)                                                                             \
  do {                                                                                        \
    v128_t s12 = wasm_f32x4_add(m[1], m[2]), d12 = wasm_f32x4_sub(m[1], m[2]);                \
    v128_t s34 = wasm_f32x4_add(m[3], m[4]), d34 = wasm_f32x4_sub(m[3], m[4]);                \
    o[0] = wasm_f32x4_add(wasm_f32x4_add(m[0], s12), s34);                                    \
    o[1] = MADD(d34, k4(2.0f), d12);                                                          \
    o[2] = MADD(s34, k4(4.0f), s12);                                                          \
    o[3] = wasm_f32x4_add(MADD(d34, k4(8.0f), d12), m[5]);                                    \
  } while (0)

/** 1-D A e of 4 values into 6 (A = the transpose of A^T above). */
#define A4(e, o)                                                                              \
  do {                                                                                        \
    v128_t p_ = wasm_f32x4_add(e[0], e[2]), q_ = wasm_f32x4_add(e[1], e[3]);                  \
    v128_t r_ = MADD(e[2], k4(4.0f), e[0]), s_ = MADD(e[3], k4(8.0f), wasm_f32x4_add(e[1], e[1])); \
    o[0] = e[0];                                                                              \
    o[1] = wasm_f32x4_add(p_, q_);                                                            \
    o[2] = wasm_f32x4_sub(p_, q_);                                                            \
    o[3] = wasm_f32x4_add(r_, s_);                                                            \
    o[4] = wasm_f32x4_sub(r_, s_);                                                            \
    o[5] = e[3];                                                                              \
  } while (0)

/** 1-D G g of 3 values into 6 (rows of G: 1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1). */
#define G3(g, o)                                                                                              \
  do {                                                                                                        \
    v128_t s_ = wasm_f32x4_add(g[0], g[2]);                                                                   \
    v128_t t_ = wasm_f32x4_add(wasm_f32x4_mul(g[0], k4(1.0f / 24)), wasm_f32x4_mul(g[2], k4(1.0f / 6)));     \
    o[0] = wasm_f32x4_mul(g[0], k4(0.25f));                                                                   \
    o[1] = wasm_f32x4_mul(wasm_f32x4_add(s_, g[1]), k4(-1.0f / 6));                                           \
    o[2] = wasm_f32x4_mul(wasm_f32x4_sub(s_, g[1]), k4(-1.0f / 6));                                           \
    o[3] = wasm_f32x4_add(t_, wasm_f32x4_mul(g[1], k4(1.0f / 12)));                                           \
    o[4] = wasm_f32x4_sub(t_, wasm_f32x4_mul(g[1], k4(1.0f / 12)));                                           \
    o[5] = g[2];                                                                                              \
  } while (0)

/** 1-D G^T s of 6 values into 3 (G^T: the transpose of G above). */
#define GT6(s, o)                                                                                                  \
  do {                                                                                                             \
    v128_t s12 = wasm_f32x4_add(s[1], s[2]), s34 = wasm_f32x4_add(s[3], s[4]);                                     \
    o[0] = wasm_f32x4_add(wasm_f32x4_mul(s[0], k4(0.25f)), wasm_f32x4_add(wasm_f32x4_mul(s12, k4(-1.0f / 6)), wasm_f32x4_mul(s34, k4(1.0f / 24)))); \
    o[1] = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_sub(s[2], s[1]), k4(1.0f / 6)), wasm_f32x4_mul(wasm_f32x4_sub(s[3], s[4]), k4(1.0f / 12))); \
    o[2] = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_sub(s34, s12), k4(1.0f / 6)), s[5]);                          \
  } while (0)

/** Floats wino_filter writes and uses: the transformed filter (36 * ci * co) and room to flip it. */
EXPORT(wino_filter_floats)
int wino_filter_floats(int ci, int co) { return 45 * ci * co; }

/**
 * Transformed filter u [36][n / 8][k][8] (k = ci, n = co: each p's k x n matrix in panels of 8
 * columns, which the products read row after row) from f [3, 3, ci, co]; with flip, for the input
 * gradient, k = co and n = ci: from f[2 - i][2 - j][c][o], first copied so into u's last 9 * ci * co floats.
 */
EXPORT(wino_filter)
void wino_filter(const float *f, float *u, int ci, int co, int flip) {
  int kk = flip ? co : ci, nn = flip ? ci : co;
  if (flip) {
    float *g = u + P * ci * co;
    for (int t = 0; t < 9; t++)
      for (int c = 0; c < ci; c++)
        for (int o = 0; o < co; o++) g[(8 - t) * ci * co + o * ci + c] = f[t * ci * co + c * co + o];
    f = g;
  }
  for (int k = 0; k < kk; k++) {
    for (int n = 0; n < nn; n += 4) {
      v128_t g[3][3], q[6][3], col[3], r[6];
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) g[i][j] = ld(f + (i * 3 + j) * kk * nn + k * nn + n);
      for (int j = 0; j < 3; j++) {  // G g: columns
        for (int i = 0; i < 3; i++) col[i] = g[i][j];
        G3(col, r);
        for (int i = 0; i < 6; i++) q[i][j] = r[i];
      }
      for (int i = 0; i < 6; i++) {  // (G g) G^T: rows
        G3(q[i], r);
        for (int j = 0; j < 6; j++) st(u + (i * 6 + j) * kk * nn + (n / 8 * kk + k) * 8 + n % 8, r[j]);
      }
    }
  }
}

/**
 * B^T d B of one 6x6 patch d (rows `row` floats apart, c channels a position) into v[p][c]: rows
 * first (a row's six loads at constant offsets from one pointer), then columns.
 */
INLINE void input_transform(const float *d, float *v, float *tmp, int row, int c) {
  for (int k = 0; k < c; k += 4) {
    v128_t a[6], o[6];
    for (int i = 0; i < 6; i++) {  // d B: rows, into tmp
      const float *r = d + i * row + k;
      for (int j = 0; j < 6; j++) a[j] = ld(r + j * c);
      BT6(a, o);
      for (int j = 0; j < 6; j++) st(tmp + (i * 6 + j) * 4, o[j]);
    }
    for (int j = 0; j < 6; j++) {  // B^T (d B): columns
      for (int i = 0; i < 6; i++) a[i] = ld(tmp + (i * 6 + j) * 4);
      BT6(a, o);
      for (int i = 0; i < 6; i++) st(v + (i * 6 + j) * c + k, o[i]);
    }
  }
}

/**
 * B^T d B for tiles g0 <= g < g1 (tpi a image, tw a row) of x [n][h][w][c] padded by pt above and
 * pl left (zeros outside), into v[g - g0][p][c]. Patches inside the image are read where they lie;
 * the others are first copied with their zeros into `patch` (36 * c floats).
 */
INLINE void input_tiles(const float *x, float *v, float *patch, float *tmp, int g0, int g1, int tpi, int tw, int h, int w,
                        int c, int pt, int pl) {
  for (int g = g0; g < g1; g++) {
    int t = g % tpi, y0 = 4 * (t / tw) - pt, x0 = 4 * (t % tw) - pl;
    const float *xb = x + (g / tpi) * h * w * c;
    float *vt = v + (g - g0) * P * c;
    if (y0 >= 0 && x0 >= 0 && y0 + 6 <= h && x0 + 6 <= w) {
      input_transform(xb + (y0 * w + x0) * c, vt, tmp, w * c, c);
      continue;
    }
    for (int i = 0; i < 6; i++) {
      for (int j = 0; j < 6; j++) {
        int yy = y0 + i, xx = x0 + j;
        copy_or_zero(patch + (i * 6 + j) * c, yy >= 0 && yy < h && xx >= 0 && xx < w ? xb + (yy * w + xx) * c : 0, c);
      }
    }
    input_transform(patch, vt, tmp, 6 * c, c);
  }
}

/** A^T m A for tiles g0 <= g < g1 (m [g - g0][p][c]) into y [n][oh][ow][c] (outputs past oh or ow dropped). */
INLINE void output_tiles(const float *m, float *y, float *tmp, int g0, int g1, int tpi, int tw, int oh, int ow, int c) {
  for (int g = g0; g < g1; g++) {
    int t = g % tpi, oy = 4 * (t / tw), ox = 4 * (t % tw);
    int rows = oh - oy < 4 ? oh - oy : 4, cols = ow - ox < 4 ? ow - ox : 4;
    const float *mt = m + (g - g0) * P * c;
    float *y0 = y + (((g / tpi) * oh + oy) * ow + ox) * c;
    for (int k = 0; k < c; k += 4) {
      v128_t a[6], o[4];
      for (int j = 0; j < 6; j++) {  // A^T m: columns, into tmp
        for (int i = 0; i < 6; i++) a[i] = ld(mt + (i * 6 + j) * c + k);
        AT6(a, o);
        for (int i = 0; i < 4; i++) st(tmp + (i * 6 + j) * 4, o[i]);
      }
      for (int i = 0; i < rows; i++) {  // (A^T m) A: rows
        for (int j = 0; j < 6; j++) a[j] = ld(tmp + (i * 6 + j) * 4);
        AT6(a, o);
        for (int j = 0; j < cols; j++) st(y0 + (i * ow + j) * c + k, o[j]);
      }
    }
  }
}

/** Floats of scratch wino_forward needs per thread. */
EXPORT(wino_forward_scratch)
int wino_forward_scratch(int ci, int oh, int ow, int co) {
  return P * ci + P * 4 + P * block_of(ci, co, FORWARD_BUDGET) * (ci + co);
}

/**
 * Images b0 <= b < b1 of y [n, oh, ow, co] = x [n, h, w, ci] convolved (3x3, stride 1, padding pt
 * above and pl left, zeros past the bottom and right edges) with the filter u = wino_filter(f).
 * scratch: wino_forward_scratch floats.
 */
INLINE void forward_images(const float *x, const float *u, float *y, float *scratch, int b0, int b1, int h, int w, int ci,
                           int oh, int ow, int co, int pt, int pl) {
  int tw = (ow + 3) / 4, tpi = (oh + 3) / 4 * tw;
  int block = block_of(ci, co, FORWARD_BUDGET);
  float *patch = scratch, *tmp = patch + P * ci, *v = tmp + P * 4, *m = v + P * block * ci;
  for (int g0 = b0 * tpi; g0 < b1 * tpi; g0 += block) {
    int g1 = g0 + block < b1 * tpi ? g0 + block : b1 * tpi;
    input_tiles(x, v, patch, tmp, g0, g1, tpi, tw, h, w, ci, pt, pl);
    for (int p = 0; p < P; p++) {
      const float *vp = v + p * ci, *up = u + p * ci * co;
      float *mp = m + p * co;
      for (int o = 0; o < co; o += 8) wino_gemm(vp, up + o * ci, mp + o, g1 - g0, ci, co);
    }
    output_tiles(m, y, tmp, g0, g1, tpi, tw, oh, ow, co);
  }
}

EXPORT(wino_forward)
void wino_forward(const float *x, const float *u, float *y, float *scratch, int b0, int b1, int h, int w, int ci, int oh,
                  int ow, int co, int pt, int pl) {
#define CALL(CI, CO) forward_images(x, u, y, scratch, b0, b1, h, w, CI, oh, ow, CO, pt, pl)
  WINO_SPECIALISE(CALL);
#undef CALL
}

/** A dY A^T for tiles g0 <= g < g1 of dy [n][oh][ow][c] (4x4 blocks; outside oh x ow is zero) into z[g - g0][p][c]. */
INLINE void grad_tiles(const float *dy, float *z, float *tmp, int g0, int g1, int tpi, int tw, int oh, int ow, int c) {
  v128_t zero = wasm_f32x4_splat(0.0f);
  for (int g = g0; g < g1; g++) {
    int t = g % tpi, oy = 4 * (t / tw), ox = 4 * (t % tw);
    int rows = oh - oy < 4 ? oh - oy : 4, cols = ow - ox < 4 ? ow - ox : 4;
    const float *d0 = dy + (((g / tpi) * oh + oy) * ow + ox) * c;
    float *zt = z + (g - g0) * P * c;
    for (int k = 0; k < c; k += 4) {
      v128_t e[4], o[6];
      for (int i = 0; i < 4; i++) {  // dY A^T: rows, into tmp
        const float *r = d0 + i * ow * c + k;
        for (int j = 0; j < 4; j++) e[j] = i < rows && j < cols ? ld(r + j * c) : zero;
        A4(e, o);
        for (int j = 0; j < 6; j++) st(tmp + (i * 6 + j) * 4, o[j]);
      }
      for (int j = 0; j < 6; j++) {  // A (dY A^T): columns
        for (int i = 0; i < 4; i++) e[i] = ld(tmp + (i * 6 + j) * 4);
        A4(e, o);
        for (int i = 0; i < 6; i++) st(zt + (i * 6 + j) * c + k, o[i]);
      }
    }
  }
}

/** Floats of scratch wino_filter_grad needs per thread. */
EXPORT(wino_filter_grad_scratch)
int wino_filter_grad_scratch(int ci, int oh, int ow, int co) {
  return P * ci + P * 4 + P * block_of(ci, co, GRAD_BUDGET) * (ci + co) + P * ci * co;
}

/**
 * dw [3, 3, ci, co] (overwritten) of a 3x3 stride-1 convolution (padding pt above, pl left) from
 * images b0 <= b < b1 of x [n, h, w, ci] and dy [n, oh, ow, co]. scratch: wino_filter_grad_scratch.
 */
INLINE void filter_grad_images(const float *x, const float *dy, float *dw, float *scratch, int b0, int b1, int h, int w,
                               int ci, int oh, int ow, int co, int pt, int pl) {
  int tw = (ow + 3) / 4, tpi = (oh + 3) / 4 * tw;
  int block = block_of(ci, co, GRAD_BUDGET);
  float *patch = scratch, *tmp = patch + P * ci, *v = tmp + P * 4, *z = v + P * block * ci, *s = z + P * block * co;
  copy_or_zero(s, 0, P * ci * co);
  for (int g0 = b0 * tpi; g0 < b1 * tpi; g0 += block) {
    int g1 = g0 + block < b1 * tpi ? g0 + block : b1 * tpi;
    input_tiles(x, v, patch, tmp, g0, g1, tpi, tw, h, w, ci, pt, pl);
    grad_tiles(dy, z, tmp, g0, g1, tpi, tw, oh, ow, co);
    for (int p = 0; p < P; p++) wino_grad(v + p * ci, z + p * co, s + p * ci * co, g1 - g0, ci, co);
  }
  // dw = G^T s G, 4 output channels at a time
  int ps = ci * co;
  for (int c = 0; c < ci; c++) {
    for (int o = 0; o < co; o += 4) {
      const float *s0 = s + c * co + o;
      v128_t a[6], q[3][6], r[3];
      for (int j = 0; j < 6; j++) {  // G^T s: columns
        for (int i = 0; i < 6; i++) a[i] = ld(s0 + (i * 6 + j) * ps);
        GT6(a, r);
        for (int i = 0; i < 3; i++) q[i][j] = r[i];
      }
      for (int i = 0; i < 3; i++) {  // (G^T s) G: rows
        GT6(q[i], r);
        for (int j = 0; j < 3; j++) st(dw + (i * 3 + j) * ps + c * co + o, r[j]);
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
