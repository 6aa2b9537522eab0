// The convolution kernels around the matrix product, written once for both compiled engines:
// the native addon (conv_napi.c, split over threads by image) and the WebAssembly module
// (wasm/conv.c). Layout (src/engine/conv-geometry.ts): maps are channels-last, one row per
// image, value (y, x, c) at (y·W + x)·C + c; the patch matrix has one row per output pixel and
// columns (ky·K + kx)·C + c, so a convolution is im2col then one gemm.
//
// Formula for formula as the TypeScript reference (src/engine/js-conv.ts): float32 sums in the
// same order, GroupNorm's statistics in double — the three engines give the same bits. Both
// builds compile with -ffp-contract=off. No libc (the WebAssembly build has none): plain loops
// for copies and __builtin_sqrt. Every function works on images [lo, hi), which write
// disjoint outputs, so any split over threads gives the same result.
#ifndef FF_CONV_KERNELS_H
#define FF_CONV_KERNELS_H

#include <stddef.h>

typedef struct {
  size_t height, width, channels, kernel, stride, padding;
  size_t out_height, out_width;  // ⌊(H + 2·pad − K) / stride⌋ + 1, filled by the caller
} ffc_patch;

typedef struct {
  size_t height, width, channels, window, stride;
  size_t out_height, out_width;  // ⌊(H − window) / stride⌋ + 1
} ffc_pool;

typedef struct {
  size_t positions, channels, groups;
} ffc_gnorm;

// cols[(i·Ho + oy)·Wo + ox, (ky·K + kx)·C + c] = x[i, (iy·W + ix)·C + c], 0 in the padding.
static inline void ffc_im2col(const ffc_patch *g, size_t lo, size_t hi, const float *x, float *cols) {
  const size_t H = g->height, W = g->width, C = g->channels, K = g->kernel;
  const size_t fin = H * W * C, pc = K * K * C;
  for (size_t i = lo; i < hi; i++) {
    float *o = cols + i * g->out_height * g->out_width * pc;
    const float *xi = x + i * fin;
    for (size_t oy = 0; oy < g->out_height; oy++) {
      for (size_t ox = 0; ox < g->out_width; ox++, o += pc) {
        for (size_t ky = 0; ky < K; ky++) {
          // Unsigned wrap-around makes "above the map" a large iy: one comparison each.
          const size_t iy = oy * g->stride + ky - g->padding;
          float *d = o + ky * K * C;
          if (iy >= H) {
            for (size_t t = 0; t < K * C; t++) d[t] = 0.0f;
            continue;
          }
          for (size_t kx = 0; kx < K; kx++, d += C) {
            const size_t ix = ox * g->stride + kx - g->padding;
            if (ix >= W) {
              for (size_t c = 0; c < C; c++) d[c] = 0.0f;
            } else {
              const float *s = xi + (iy * W + ix) * C;
              for (size_t c = 0; c < C; c++) d[c] = s[c];
            }
          }
        }
      }
    }
  }
}

// x ← beta·x (0 when beta is 0, NaN included), then alpha·cols added back pixel by pixel,
// patches in row order (the adjoint of im2col).
static inline void ffc_col2im(const ffc_patch *g, size_t lo, size_t hi, float alpha, const float *cols, float beta,
                              float *x) {
  const size_t H = g->height, W = g->width, C = g->channels, K = g->kernel;
  const size_t fin = H * W * C, pc = K * K * C;
  for (size_t i = lo; i < hi; i++) {
    float *xi = x + i * fin;
    if (beta == 0.0f) {
      for (size_t j = 0; j < fin; j++) xi[j] = 0.0f;
    } else if (beta != 1.0f) {
      for (size_t j = 0; j < fin; j++) xi[j] = beta * xi[j];
    }
    const float *o = cols + i * g->out_height * g->out_width * pc;
    for (size_t oy = 0; oy < g->out_height; oy++) {
      for (size_t ox = 0; ox < g->out_width; ox++, o += pc) {
        for (size_t ky = 0; ky < K; ky++) {
          const size_t iy = oy * g->stride + ky - g->padding;
          if (iy >= H) continue;
          for (size_t kx = 0; kx < K; kx++) {
            const size_t ix = ox * g->stride + kx - g->padding;
            if (ix >= W) continue;
            float *d = xi + (iy * W + ix) * C;
            const float *s = o + (ky * K + kx) * C;
            if (alpha == 1.0f) {
              for (size_t c = 0; c < C; c++) d[c] += s[c];
            } else {
              for (size_t c = 0; c < C; c++) d[c] += alpha * s[c];
            }
          }
        }
      }
    }
  }
}

// The offset within an image of window (oy, ox)'s tap (ky, kx), channel 0.
static inline size_t ffc_tap(const ffc_pool *g, size_t oy, size_t ox, size_t ky, size_t kx) {
  return ((oy * g->stride + ky) * g->width + ox * g->stride + kx) * g->channels;
}

// The first tap of the window holding its maximum (a NaN, if any, is the maximum).
static inline size_t ffc_argmax(const ffc_pool *g, const float *xi, size_t oy, size_t ox, size_t c) {
  size_t best = ffc_tap(g, oy, ox, 0, 0) + c;
  float m = xi[best];
  for (size_t ky = 0; ky < g->window; ky++) {
    for (size_t kx = 0; kx < g->window; kx++) {
      const size_t t = ffc_tap(g, oy, ox, ky, kx) + c;
      const float v = xi[t];
      if (v > m || (v != v && m == m)) {
        m = v;
        best = t;
      }
    }
  }
  return best;
}

// Channels innermost and no branch per tap (a select), so the compiler vectorizes across the
// channels: a branch per value mispredicts about half the time on real maps. The value is the
// same as ffc_argmax's (a NaN, if any, is the maximum).
static inline void ffc_max_pool_forward(const ffc_pool *g, size_t lo, size_t hi, const float *x, float *y) {
  const size_t C = g->channels, fin = g->height * g->width * C, fout = g->out_height * g->out_width * C;
  for (size_t i = lo; i < hi; i++) {
    const float *xi = x + i * fin;
    float *o = y + i * fout;
    for (size_t oy = 0; oy < g->out_height; oy++)
      for (size_t ox = 0; ox < g->out_width; ox++, o += C) {
        const float *first = xi + ffc_tap(g, oy, ox, 0, 0);
        for (size_t c = 0; c < C; c++) o[c] = first[c];
        for (size_t ky = 0; ky < g->window; ky++)
          for (size_t kx = 0; kx < g->window; kx++) {
            const float *t = xi + ffc_tap(g, oy, ox, ky, kx);
            for (size_t c = 0; c < C; c++) {
              const float v = t[c], m = o[c];
              o[c] = (v > m || (v != v && m == m)) ? v : m;
            }
          }
      }
  }
}

// dx = dy routed to each window's first maximum, found again in x (overwrites dx).
static inline void ffc_max_pool_backward(const ffc_pool *g, size_t lo, size_t hi, const float *x, const float *dy,
                                         float *dx) {
  const size_t C = g->channels, fin = g->height * g->width * C, fout = g->out_height * g->out_width * C;
  for (size_t i = lo; i < hi; i++) {
    const float *xi = x + i * fin;
    const float *d = dy + i * fout;
    float *o = dx + i * fin;
    for (size_t j = 0; j < fin; j++) o[j] = 0.0f;
    for (size_t oy = 0; oy < g->out_height; oy++)
      for (size_t ox = 0; ox < g->out_width; ox++)
        for (size_t c = 0; c < C; c++) o[ffc_argmax(g, xi, oy, ox, c)] += *d++;
  }
}

// y = the float32 sum of each window in tap order times float32(1/window²).
static inline void ffc_avg_pool_forward(const ffc_pool *g, size_t lo, size_t hi, const float *x, float *y) {
  const size_t C = g->channels, fin = g->height * g->width * C, fout = g->out_height * g->out_width * C;
  const float inv = (float)(1.0 / (double)(g->window * g->window));
  for (size_t i = lo; i < hi; i++) {
    const float *xi = x + i * fin;
    float *o = y + i * fout;
    for (size_t oy = 0; oy < g->out_height; oy++)
      for (size_t ox = 0; ox < g->out_width; ox++, o += C) {
        for (size_t c = 0; c < C; c++) o[c] = 0.0f;
        // Taps outer, channels inner: contiguous, and each o[c] still sums its taps in order.
        for (size_t ky = 0; ky < g->window; ky++)
          for (size_t kx = 0; kx < g->window; kx++) {
            const float *s = xi + ffc_tap(g, oy, ox, ky, kx);
            for (size_t c = 0; c < C; c++) o[c] += s[c];
          }
        for (size_t c = 0; c < C; c++) o[c] *= inv;
      }
  }
}

// dx = dy·float32(1/window²) spread over each window (overwrites dx).
static inline void ffc_avg_pool_backward(const ffc_pool *g, size_t lo, size_t hi, const float *dy, float *dx) {
  const size_t C = g->channels, fin = g->height * g->width * C, fout = g->out_height * g->out_width * C;
  const float inv = (float)(1.0 / (double)(g->window * g->window));
  for (size_t i = lo; i < hi; i++) {
    const float *d = dy + i * fout;
    float *o = dx + i * fin;
    for (size_t j = 0; j < fin; j++) o[j] = 0.0f;
    for (size_t oy = 0; oy < g->out_height; oy++)
      for (size_t ox = 0; ox < g->out_width; ox++, d += C)
        for (size_t ky = 0; ky < g->window; ky++)
          for (size_t kx = 0; kx < g->window; kx++) {
            float *t = o + ffc_tap(g, oy, ox, ky, kx);
            for (size_t c = 0; c < C; c++) t[c] += d[c] * inv;
          }
  }
}

// GroupNorm without affine: per image and group, y = (x − mean)·rstd, rstd = 1/√(var + eps),
// two passes in double (positions outer, the group's channels inner); stats[i, 2g] = mean,
// stats[i, 2g + 1] = rstd. y may be x.
static inline void ffc_group_norm_forward(const ffc_gnorm *g, size_t lo, size_t hi, double eps, const float *x, float *y,
                                          float *stats) {
  const size_t P = g->positions, C = g->channels, G = g->groups, cg = C / G;
  const double count = (double)(P * cg);
  for (size_t i = lo; i < hi; i++) {
    for (size_t grp = 0; grp < G; grp++) {
      const size_t c0 = i * P * C + grp * cg;
      double s = 0.0;
      for (size_t p = 0; p < P; p++)
        for (size_t c = 0; c < cg; c++) s += (double)x[c0 + p * C + c];
      const double mean = s / count;
      double ss = 0.0;
      for (size_t p = 0; p < P; p++)
        for (size_t c = 0; c < cg; c++) {
          const double d = (double)x[c0 + p * C + c] - mean;
          ss += d * d;
        }
      const double rstd = 1.0 / __builtin_sqrt(ss / count + eps);
      for (size_t p = 0; p < P; p++)
        for (size_t c = 0; c < cg; c++) y[c0 + p * C + c] = (float)(((double)x[c0 + p * C + c] - mean) * rstd);
      stats[i * 2 * G + 2 * grp] = (float)mean;
      stats[i * 2 * G + 2 * grp + 1] = (float)rstd;
    }
  }
}

// dx = rstd·(dy − mean(dy) − y·mean(dy·y)) per image and group, in double. dx may be dy or y.
static inline void ffc_group_norm_backward(const ffc_gnorm *g, size_t lo, size_t hi, const float *y, const float *dy,
                                           const float *stats, float *dx) {
  const size_t P = g->positions, C = g->channels, G = g->groups, cg = C / G;
  const double count = (double)(P * cg);
  for (size_t i = lo; i < hi; i++) {
    for (size_t grp = 0; grp < G; grp++) {
      const size_t c0 = i * P * C + grp * cg;
      double sd = 0.0, sdy = 0.0;
      for (size_t p = 0; p < P; p++)
        for (size_t c = 0; c < cg; c++) {
          const size_t j = c0 + p * C + c;
          sd += (double)dy[j];
          sdy += (double)dy[j] * (double)y[j];
        }
      const double md = sd / count, mdy = sdy / count;
      const double rstd = (double)stats[i * 2 * G + 2 * grp + 1];
      for (size_t p = 0; p < P; p++)
        for (size_t c = 0; c < cg; c++) {
          const size_t j = c0 + p * C + c;
          dx[j] = (float)(rstd * ((double)dy[j] - md - (double)y[j] * mdy));
        }
    }
  }
}

// Each row, read as a p × q matrix, written transposed (q × p).
static inline void ffc_transpose_rows(size_t lo, size_t hi, size_t p, size_t q, const float *x, float *out) {
  for (size_t i = lo; i < hi; i++) {
    const float *s = x + i * p * q;
    float *d = out + i * p * q;
    for (size_t a = 0; a < p; a++)
      for (size_t b = 0; b < q; b++) d[b * p + a] = s[a * q + b];
  }
}

#endif
