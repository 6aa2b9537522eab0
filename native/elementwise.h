// The memory-bound kernels a training step calls most after the products, written once for
// both compiled engines: the native addon (ff_native.c wraps them for N-API) and the
// WebAssembly module (wasm/elementwise.c exports them). Formula for formula as the TypeScript
// reference (src/engine/js-backend.ts): float32 operations where it uses float32, double
// accumulation where it uses double, the same order of summation — so the three engines give
// the same bits. Both builds compile with -ffp-contract=off (no fused multiply-add). No libc:
// the WebAssembly build has none (hence __builtin_sqrt, correctly rounded like sqrt).
#ifndef FF_ELEMENTWISE_H
#define FF_ELEMENTWISE_H

#include <stddef.h>

// x ← x + bias (per column), then ReLU if relu. x is rows × cols.
static inline void ffk_add_bias(float *X, size_t rows, size_t cols, const float *b, int relu) {
  for (size_t i = 0; i < rows; i++) {
    float *x = X + i * cols;
    if (relu) {
      for (size_t j = 0; j < cols; j++) {
        const float v = x[j] + b[j];
        x[j] = v < 0.0f ? 0.0f : v;
      }
    } else {
      for (size_t j = 0; j < cols; j++) x[j] += b[j];
    }
  }
}

// out ← beta·out + alpha·Σ_i x[i,:], summed in double row by row; acc holds cols doubles.
static inline void ffk_col_sum(const float *X, size_t rows, size_t cols, float *O, double alpha, double beta, double *restrict acc) {
  for (size_t j = 0; j < cols; j++) acc[j] = 0.0;
  for (size_t i = 0; i < rows; i++) {
    const float *restrict x = X + i * cols;
    for (size_t j = 0; j < cols; j++) acc[j] += (double)x[j];
  }
  for (size_t j = 0; j < cols; j++) {
    const double base = beta == 0 ? 0.0 : beta * (double)O[j];
    O[j] = (float)(base + alpha * acc[j]);
  }
}

// w ← w − lr·(state + weightCost·w) in float32 arithmetic; w and state do not overlap. Not
// inlined, so that the compiler keeps the no-overlap promise and vectorizes the loop.
__attribute__((noinline)) static void ffk_smooth_apply(float *restrict W, const float *restrict S, size_t n, float lr, float wc) {
  for (size_t i = 0; i < n; i++) {
    const float w = W[i];
    W[i] = w - lr * (S[i] + wc * w);
  }
}

// Σ_j x[j]² in double, in 8 interleaved partial sums (lane k takes j ≡ k mod 8) combined
// pairwise at the end, then the tail: a fixed order that vectorizes without reassociation and
// that js-backend.ts (sumSqLanes) repeats. Products of two float32 values are exact in double,
// so only the order of the additions matters.
#define FFK_SUM_LANES 8
static inline double ffk_sum_sq_lanes(const float *x, size_t n) {
  double acc[FFK_SUM_LANES] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t j = 0;
  for (; j + FFK_SUM_LANES <= n; j += FFK_SUM_LANES) {
    for (size_t k = 0; k < FFK_SUM_LANES; k++) acc[k] += (double)x[j + k] * (double)x[j + k];
  }
  double s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; j < n; j++) s += (double)x[j] * (double)x[j];
  return s;
}

// out = x / (eps + rms(row)) (rms) or x / (eps + ‖row‖) (l2); out may be x. sum_sq (or NULL)
// receives each row's Σ x² — the FF goodness — so the forward pass reads each row once.
static inline void ffk_normalize_rows(const float *X, size_t rows, size_t cols, float *O, int rms, double eps, float *sum_sq) {
  for (size_t i = 0; i < rows; i++) {
    const float *x = X + i * cols;
    float *o = O + i * cols;
    const double s = ffk_sum_sq_lanes(x, cols);
    if (sum_sq) sum_sq[i] = (float)s;
    const double len = rms ? __builtin_sqrt(s / (double)cols) : __builtin_sqrt(s);
    const double inv = 1 / (eps + len);
    for (size_t j = 0; j < cols; j++) o[j] = (float)((double)x[j] * inv);
  }
}

// g = coef[i]·y[i,j] (power 2) or coef[i]·[y[i,j] > 0] (power 1); out ← g when beta = 0,
// else beta·out + g.
static inline void ffk_scale_rows(const float *Y, size_t rows, size_t cols, const float *c, float *O, int power, double beta) {
  for (size_t i = 0; i < rows; i++) {
    const float *y = Y + i * cols;
    float *o = O + i * cols;
    const double ci = c[i];
    if (power == 2) {
      if (beta == 0) {
        for (size_t j = 0; j < cols; j++) o[j] = (float)(ci * (double)y[j]);
      } else {
        for (size_t j = 0; j < cols; j++) o[j] = (float)(beta * (double)o[j] + ci * (double)y[j]);
      }
    } else {
      const float cf = c[i];
      if (beta == 0) {
        for (size_t j = 0; j < cols; j++) o[j] = y[j] > 0.0f ? cf : 0.0f;
      } else {
        for (size_t j = 0; j < cols; j++) {
          const double g = y[j] > 0.0f ? ci : 0.0;
          o[j] = (float)(beta * (double)o[j] + g);
        }
      }
    }
  }
}

// x[i,j] ← x[i,j] + alpha·v[j], in double, rounded once.
static inline void ffk_add_row_vector(float *X, size_t rows, size_t cols, const float *v, double alpha) {
  for (size_t i = 0; i < rows; i++) {
    float *x = X + i * cols;
    for (size_t j = 0; j < cols; j++) x[j] = (float)((double)x[j] + alpha * (double)v[j]);
  }
}

#endif
