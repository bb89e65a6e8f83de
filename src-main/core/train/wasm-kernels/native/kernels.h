// Shared by the kernels' C sources (conv-kernels.c, winograd.c, pool-grad.c, batch-norm.c, sgd.c), which
// build.mjs compiles into one wasm module that works directly on the tfjs-backend-wasm heap (it
// imports that module's memory). Built with relaxed SIMD (f32x4.relaxed_madd, a fused multiply-add
// where the CPU has one) and with plain SIMD128 (a multiply and an add), each for an unshared memory
// (the single-threaded backend build) and a shared one (the threaded build). MADD picks the
// instruction.
//
// The module must not touch memory it was not handed: no static data, no C stack (build.mjs checks
// that the linked module has no data segment and never reads its stack pointer), no libc.
#ifndef DIVE_KERNELS_H
#define DIVE_KERNELS_H
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

/** Copies n floats (or writes zeros when src is null), 4 at a time where it can. */
static inline void copy_or_zero(float *dst, const float *src, int n) {
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
static inline void pad_image(const float *x, float *xp, int h, int w, int ci, int hp, int wp, int pt, int pl) {
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

#endif
