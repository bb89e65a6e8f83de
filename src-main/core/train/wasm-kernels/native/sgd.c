// SGD with momentum and weight decay on the wasm backend's heap (see kernels.h): one pass per
// parameter where the TF.js composite (optim.ts) runs six element-wise kernels, each a call with
// its own allocation. The same float32 operations in the same order, so the result is the same to
// the bit:
//   d = g + p * wd;   v' = v * momentum + d;   p' = p - v' * lr
// (d = g without weight decay, v' = d without momentum, as the composite skips those terms).
#include "kernels.h"

EXPORT(sgd_momentum)
void sgd_momentum(const float *p, const float *v, const float *g, float *pOut, float *vOut, int n, float lr, float momentum,
                  float wd) {
  v128_t L = wasm_f32x4_splat(lr), M = wasm_f32x4_splat(momentum), W = wasm_f32x4_splat(wd);
  int k = 0;
  for (; k + 4 <= n; k += 4) {
    v128_t pk = ld(p + k), d = ld(g + k);
    if (wd != 0.0f) d = wasm_f32x4_add(d, wasm_f32x4_mul(pk, W));
    v128_t vk = momentum != 0.0f ? wasm_f32x4_add(wasm_f32x4_mul(ld(v + k), M), d) : d;
    st(vOut + k, vk);
    st(pOut + k, wasm_f32x4_sub(pk, wasm_f32x4_mul(vk, L)));
  }
  for (; k < n; k++) {
    float d = g[k];
    if (wd != 0.0f) d = d + p[k] * wd;
    float vk = momentum != 0.0f ? v[k] * momentum + d : d;
    vOut[k] = vk;
    pOut[k] = p[k] - vk * lr;
  }
}
