// Max pooling's gradient on the wasm backend's heap, NHWC float32 (see kernels.h).
#include "kernels.h"

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
