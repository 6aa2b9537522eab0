// Locally-connected (LC) layer kernels: plain C, no Node-API (the addon wraps them in
// native/lc_napi.c). The layout is documented once, in src/engine/local-geometry.ts:
//   maps (x, y, dx, dy):  rows × (channels·H·W), channel-planar like the images;
//   weights:              (H·Cout·Cin·K·K) × W, row (((py·Cout + co)·Cin + ci)·K + dy)·K + dx,
//                         column px — so every kernel runs along a map row (px), vectorised.
#ifndef FF_LC_KERNELS_H
#define FF_LC_KERNELS_H

#include <stddef.h>

typedef struct {
  size_t height, width;  // the map (source and target share it: stride 1, "same" size)
  size_t in_channels, out_channels;
  size_t window;  // K, odd; the unit at (py, px) sees rows py−K/2 … py+K/2 (zero outside)
} lc_geom;

// y = alpha·LC(x, w) + beta·y  (beta = 0 overwrites y). 0 on success, −1 out of memory.
int lc_forward(const lc_geom *g, size_t rows, float alpha, const float *x, const float *w,
               float beta, float *y);
// dw = alpha·Σ_rows x_window ⊗ dy + beta·dw  (weights outside the map get exactly 0).
int lc_weight_grad(const lc_geom *g, size_t rows, float alpha, const float *x, const float *dy,
                   float beta, float *dw);
// dx = alpha·LCᵀ(dy, w) + beta·dx  (the gradient w.r.t. the source map).
int lc_input_grad(const lc_geom *g, size_t rows, float alpha, const float *dy, const float *w,
                  float beta, float *dx);

#endif
