// The products of the Winograd kernels (winograd.c): per element p of the transformed tile, a
// matrix product over channels. They run in functions of their own, not inlined: the engine keeps
// a small function's accumulators in registers, where in a large one it spilled them. One copy per
// channel count of CIFAR ResNets (KK, NN constants, which the engine folds into the loads' offsets),
// and one with variables for the others.
#ifndef DIVE_WINOGRAD_GEMM_H
#define DIVE_WINOGRAD_GEMM_H
#include "kernels.h"

#define INLINE static inline __attribute__((always_inline))

// Layouts: a block's transformed tiles are [tile][36][channels] (a tile's 36 elements together, so
// that the transforms' offsets are constants), so one element p's rows lie 36 * channels apart.

// m[t][n] = sum_k v[t][k] u[k][n] for T tiles (rows, 36 * KK and 36 * NN floats apart) x 8 channels n
// (u: a panel, rows of 8), T*2 accumulators in registers.
#define WINO_GEMM_TILE(T, KK, NN)                                                                          \
  {                                                                                                         \
    v128_t a0[T], a1[T];                                                                                    \
    for (int r = 0; r < T; r++) a0[r] = a1[r] = wasm_f32x4_splat(0.0f);                                  \
    const float *uk = u;                                                                                    \
    _Pragma("clang loop unroll(disable)")                                                                   \
    for (int k = 0; k < KK; k++, uk += 8) {                                                                 \
      v128_t b0 = ld(uk), b1 = ld(uk + 4);                                                                  \
      for (int r = 0; r < T; r++) {                                                                         \
        v128_t a = splat(v + (t + r) * 36 * KK + k);                                                        \
        a0[r] = MADD(a, b0, a0[r]);                                                                         \
        a1[r] = MADD(a, b1, a1[r]);                                                                         \
      }                                                                                                     \
    }                                                                                                       \
    for (int r = 0; r < T; r++) {                                                                           \
      st(m + (t + r) * 36 * NN, a0[r]);                                                                     \
      st(m + (t + r) * 36 * NN + 4, a1[r]);                                                                 \
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

/** s[c][o] += sum_t v[t][c] z[t][o] for t < tiles (rows 36 * CI, 36 * CO floats apart), all c < ci and o < co, 4 x 8 at a time in registers: one p. */
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
        for (int t = 0; t < tiles; t++, vt += 36 * CI, zt += 36 * CO) {                                     \
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

#endif
