// ff_native: the native engine's kernels, as one plain-C Node-API addon (this file; the
// locally-connected kernels in lc_kernels.c, wrapped in lc_napi.c; the convolution kernels in
// conv_kernels.h, wrapped in conv_napi.c; seeded noise in noise.c;
// argument checks in napi_args.h).
//
// Every function takes Float32Arrays (used in place, zero-copy) and plain numbers, checks
// them, and throws a JS Error with a one-line message instead of crashing. The matrix
// product goes to the system CBLAS (OpenBLAS on Linux, Accelerate on macOS); everything
// else is simple single-threaded C that mirrors src/engine/js-backend.ts formula by formula:
// like the TypeScript reference it computes in double and rounds once when storing float32,
// so the elementwise kernels give the same numbers on both backends (the build turns off
// FMA contraction for that reason).
//
// Aliasing: an output may be the same array as an input wherever the Engine interface allows
// it (normalizeRows, softmaxRows, reluBackward, axpby, scaleRows). Every such loop reads
// element i before writing element i, so the pointers are deliberately not `restrict`; the
// compiler vectorizes them behind a runtime overlap check.

#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef FF_USE_ACCELERATE
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif

#include "napi_args.h"
#include "lc_napi.h"
#include "conv_napi.h"
#include "noise.h"
#include "elementwise.h"

// ---- products ---------------------------------------------------------------------------

// gemm(transA, transB, m, n, k, alpha, a, b, beta, c): c = alpha·op(a)·op(b) + beta·c with
// op(a) m×k, op(b) k×n, c m×n, all row-major. beta = 0 overwrites c (NaNs in c vanish).
static napi_value ff_gemm(napi_env env, napi_callback_info info) {
#define FN "gemm"
  ARGS(10);
  bool ta, tb;
  size_t m, n, k, la, lb, lc;
  double alpha, beta;
  float *A, *B, *C;
  BOOL(0, "transA", ta);
  BOOL(1, "transB", tb);
  DIM(2, "m", m);
  DIM(3, "n", n);
  DIM(4, "k", k);
  NUM(5, "alpha", alpha);
  F32(6, "a", A, la);
  F32(7, "b", B, lb);
  NUM(8, "beta", beta);
  F32(9, "c", C, lc);
  LEN("a", la, area(m, k));
  LEN("b", lb, area(k, n));
  LEN("c", lc, area(m, n));
  if (overlap(C, lc, A, la) || overlap(C, lc, B, lb)) {
    fail(env, FN, "the output c must not share memory with a or b");
    return NULL;
  }
  if (m == 0 || n == 0) return NULL;
  if (k == 0) {
    // Empty inner dimension: c = beta·c (CBLAS would reject the zero leading dimension).
    const size_t len = lc;
    if (beta == 0) {
      memset(C, 0, len * sizeof(float));
    } else if (beta != 1) {
      for (size_t i = 0; i < len; i++) C[i] = (float)((double)C[i] * beta);
    }
    return NULL;
  }
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              (int)m, (int)n, (int)k, (float)alpha, A, ta ? (int)m : (int)k, B,
              tb ? (int)k : (int)n, (float)beta, C, (int)n);
  return NULL;
#undef FN
}

// ---- elementwise and reductions ---------------------------------------------------------

// addBias(x, rows, cols, bias, relu): x[i,j] ← x[i,j] + bias[j], then max(·, 0) if relu.
static napi_value ff_add_bias(napi_env env, napi_callback_info info) {
#define FN "addBias"
  ARGS(5);
  float *X, *b;
  size_t rows, cols, lx, lb;
  bool relu;
  F32(0, "x", X, lx);
  DIM(1, "rows", rows);
  DIM(2, "cols", cols);
  F32(3, "bias", b, lb);
  BOOL(4, "relu", relu);
  LEN("x", lx, area(rows, cols));
  LEN("bias", lb, cols);
  ffk_add_bias(X, rows, cols, b, relu);
  return NULL;
#undef FN
}

// rowPowerSum(x, rows, cols, out, power): out[i] = Σ_j x[i,j]^power, summed in double.
static napi_value ff_row_power_sum(napi_env env, napi_callback_info info) {
#define FN "rowPowerSum"
  ARGS(5);
  float *X, *O;
  size_t rows, cols, lx, lo;
  int power = 0;
  F32(0, "x", X, lx);
  DIM(1, "rows", rows);
  DIM(2, "cols", cols);
  F32(3, "out", O, lo);
  if (!get_power(env, FN, argv[4], &power)) return NULL;
  LEN("x", lx, area(rows, cols));
  LEN("out", lo, rows);
  for (size_t i = 0; i < rows; i++) {
    const float *x = X + i * cols;
    double s = 0;
    if (power == 2) {
      for (size_t j = 0; j < cols; j++) s += (double)x[j] * (double)x[j];
    } else {
      for (size_t j = 0; j < cols; j++) s += (double)x[j];
    }
    O[i] = (float)s;
  }
  return NULL;
#undef FN
}

// normalizeRows(x, rows, cols, out, mode, eps, sumSq): out = x / (eps + rms(row)) for mode
// 'rms', x / (eps + ‖row‖) for 'l2'. out may be x. When sumSq has `rows` elements it also
// receives Σ_j x[i,j]² — the FF goodness — so the FF forward pass reads each row once.
static napi_value ff_normalize_rows(napi_env env, napi_callback_info info) {
#define FN "normalizeRows"
  ARGS(7);
  float *X, *O, *SS;
  size_t rows, cols, lx, lo, lss;
  double eps;
  F32(0, "x", X, lx);
  DIM(1, "rows", rows);
  DIM(2, "cols", cols);
  F32(3, "out", O, lo);
  char mode[8] = {0};
  size_t mlen = 0;
  napi_valuetype t;
  if (napi_typeof(env, argv[4], &t) != napi_ok || t != napi_string ||
      napi_get_value_string_utf8(env, argv[4], mode, sizeof mode, &mlen) != napi_ok ||
      (strcmp(mode, "rms") != 0 && strcmp(mode, "l2") != 0)) {
    fail(env, FN, "argument 'mode' must be 'rms' or 'l2'");
    return NULL;
  }
  const bool rms = mode[0] == 'r';
  NUM(5, "eps", eps);
  F32(6, "sumSq", SS, lss);
  LEN("x", lx, area(rows, cols));
  LEN("out", lo, area(rows, cols));
  if (lss != 0) LEN("sumSq", lss, rows);
  ffk_normalize_rows(X, rows, cols, O, rms, eps, lss != 0 ? SS : NULL);
  return NULL;
#undef FN
}

// scaleRows(y, rows, cols, coef, out, power, beta): g = coef[i]·y[i,j] (power 2) or
// coef[i]·[y[i,j] > 0] (power 1); out ← g when beta = 0, else beta·out + g.
static napi_value ff_scale_rows(napi_env env, napi_callback_info info) {
#define FN "scaleRows"
  ARGS(7);
  float *Y, *c, *O;
  size_t rows, cols, ly, lc, lo;
  int power = 0;
  double beta;
  F32(0, "y", Y, ly);
  DIM(1, "rows", rows);
  DIM(2, "cols", cols);
  F32(3, "coef", c, lc);
  F32(4, "out", O, lo);
  if (!get_power(env, FN, argv[5], &power)) return NULL;
  NUM(6, "beta", beta);
  LEN("y", ly, area(rows, cols));
  LEN("coef", lc, rows);
  LEN("out", lo, area(rows, cols));
  ffk_scale_rows(Y, rows, cols, c, O, power, beta);
  return NULL;
#undef FN
}

// addRowVector(x, rows, cols, v, alpha): x[i,j] ← x[i,j] + alpha·v[j].
static napi_value ff_add_row_vector(napi_env env, napi_callback_info info) {
#define FN "addRowVector"
  ARGS(5);
  float *X, *V;
  size_t rows, cols, lx, lv;
  double alpha;
  F32(0, "x", X, lx);
  DIM(1, "rows", rows);
  DIM(2, "cols", cols);
  F32(3, "v", V, lv);
  NUM(4, "alpha", alpha);
  LEN("x", lx, area(rows, cols));
  LEN("v", lv, cols);
  ffk_add_row_vector(X, rows, cols, V, alpha);
  return NULL;
#undef FN
}

// colSum(x, rows, cols, out, alpha, beta): out[j] ← beta·out[j] + alpha·Σ_i x[i,j], the sum
// accumulated in double; beta = 0 overwrites out.
static napi_value ff_col_sum(napi_env env, napi_callback_info info) {
#define FN "colSum"
  ARGS(6);
  float *X, *O;
  size_t rows, cols, lx, lo;
  double alpha, beta;
  F32(0, "x", X, lx);
  DIM(1, "rows", rows);
  DIM(2, "cols", cols);
  F32(3, "out", O, lo);
  NUM(4, "alpha", alpha);
  NUM(5, "beta", beta);
  LEN("x", lx, area(rows, cols));
  LEN("out", lo, cols);
  if (cols == 0) return NULL;
  double *restrict acc = malloc(cols * sizeof(double)); // ffk_col_sum zeroes it
  if (acc == NULL) {
    fail(env, FN, "out of memory (%zu columns)", cols);
    return NULL;
  }
  ffk_col_sum(X, rows, cols, O, alpha, beta, acc);
  free(acc);
  return NULL;
#undef FN
}

// softmaxRows(x, rows, cols, out): numerically stable row softmax; out may be x.
static napi_value ff_softmax_rows(napi_env env, napi_callback_info info) {
#define FN "softmaxRows"
  ARGS(4);
  float *X, *O;
  size_t rows, cols, lx, lo;
  F32(0, "x", X, lx);
  DIM(1, "rows", rows);
  DIM(2, "cols", cols);
  F32(3, "out", O, lo);
  LEN("x", lx, area(rows, cols));
  LEN("out", lo, area(rows, cols));
  for (size_t i = 0; i < rows; i++) {
    const float *x = X + i * cols;
    float *o = O + i * cols;
    float mx = -INFINITY;
    for (size_t j = 0; j < cols; j++) {
      if (x[j] > mx) mx = x[j];
    }
    double s = 0;
    for (size_t j = 0; j < cols; j++) {
      const double e = exp((double)x[j] - (double)mx);
      o[j] = (float)e;
      s += e;
    }
    const double inv = 1 / s;
    for (size_t j = 0; j < cols; j++) o[j] = (float)((double)o[j] * inv);
  }
  return NULL;
#undef FN
}

// reluBackward(dy, y, out): out = dy where y > 0, else 0. out may be dy.
static napi_value ff_relu_backward(napi_env env, napi_callback_info info) {
#define FN "reluBackward"
  ARGS(3);
  float *D, *Y, *O;
  size_t ld, ly, lo;
  F32(0, "dy", D, ld);
  F32(1, "y", Y, ly);
  F32(2, "out", O, lo);
  LEN("y", ly, ld);
  LEN("out", lo, ld);
  for (size_t i = 0; i < ld; i++) O[i] = Y[i] > 0.0f ? D[i] : 0.0f;
  return NULL;
#undef FN
}

// axpby(a, x, b, y, out): out = a·x + b·y elementwise; out may alias x or y.
static napi_value ff_axpby(napi_env env, napi_callback_info info) {
#define FN "axpby"
  ARGS(5);
  double a, b;
  float *X, *Y, *O;
  size_t lx, ly, lo;
  NUM(0, "a", a);
  F32(1, "x", X, lx);
  NUM(2, "b", b);
  F32(3, "y", Y, ly);
  F32(4, "out", O, lo);
  LEN("y", ly, lx);
  LEN("out", lo, lx);
  for (size_t i = 0; i < lx; i++) O[i] = (float)(a * (double)X[i] + b * (double)Y[i]);
  return NULL;
#undef FN
}

// multiply(x, y, out): out = x ⊙ y elementwise (one float32 rounding, so the js twin is exact);
// out may alias x or y. Masked connections keep their weights zero off the mask with it.
static napi_value ff_multiply(napi_env env, napi_callback_info info) {
#define FN "multiply"
  ARGS(3);
  float *X, *Y, *O;
  size_t lx, ly, lo;
  F32(0, "x", X, lx);
  F32(1, "y", Y, ly);
  F32(2, "out", O, lo);
  LEN("y", ly, lx);
  LEN("out", lo, lx);
  for (size_t i = 0; i < lx; i++) O[i] = X[i] * Y[i];
  return NULL;
#undef FN
}

// ---- optimizers -------------------------------------------------------------------------

// smoothStep(w, state, grad, gradScale, smoothing, lr, weightCost):
//   state ← smoothing·state + (1 − smoothing)·gradScale·grad
//   w ← w − lr·(state + weightCost·w)
static napi_value ff_smooth_step(napi_env env, napi_callback_info info) {
#define FN "smoothStep"
  ARGS(7);
  float *W, *S, *G;
  size_t lw, ls, lg;
  double gs, smoothing, lr, wc;
  F32(0, "w", W, lw);
  F32(1, "state", S, ls);
  F32(2, "grad", G, lg);
  NUM(3, "gradScale", gs);
  NUM(4, "smoothing", smoothing);
  NUM(5, "lr", lr);
  NUM(6, "weightCost", wc);
  LEN("state", ls, lw);
  LEN("grad", lg, lw);
  const double keep = smoothing;
  const double take = (1 - smoothing) * gs;
  for (size_t i = 0; i < lw; i++) {
    const float s = (float)(keep * (double)S[i] + take * (double)G[i]);
    S[i] = s;
    W[i] = (float)((double)W[i] - lr * ((double)s + wc * (double)W[i]));
  }
  return NULL;
#undef FN
}

// smoothApply(w, state, lr, weightCost): w ← w − lr·(state + weightCost·w), the second half of
// smoothStep when a gemm (alpha = (1 − smoothing)·gradScale, beta = smoothing) has already put
// the smoothed gradient into state. float32 arithmetic, every operation rounded (no FMA, see
// the top), so src/engine/js-backend.ts reproduces it bit for bit with Math.fround. A memory-
// bound pass (read w and state, write w): float lanes instead of double halve the vector work.
// One thread on purpose: split over two with parallel.h it was 3× slower in the real training
// loop (0.69 → 2.0 ms per hinton minibatch, AMD EPYC, 2 cores) and slowed the next products
// too — the new threads compete with OpenBLAS's workers, which keep spinning after a product.
static napi_value ff_smooth_apply(napi_env env, napi_callback_info info) {
#define FN "smoothApply"
  ARGS(4);
  float *W, *S;
  size_t lw, ls;
  double lr, wc;
  F32(0, "w", W, lw);
  F32(1, "state", S, ls);
  NUM(2, "lr", lr);
  NUM(3, "weightCost", wc);
  LEN("state", ls, lw);
  if (overlap(W, lw, S, ls)) {
    fail(env, FN, "w and state must not overlap");
    return NULL;
  }
  ffk_smooth_apply(W, S, lw, (float)lr, (float)wc);
  return NULL;
#undef FN
}

// momentumStep(w, velocity, grad, gradScale, momentum, lr, weightCost):
//   velocity ← momentum·velocity + gradScale·grad + weightCost·w
//   w ← w − lr·velocity
static napi_value ff_momentum_step(napi_env env, napi_callback_info info) {
#define FN "momentumStep"
  ARGS(7);
  float *W, *V, *G;
  size_t lw, lv, lg;
  double gs, mom, lr, wc;
  F32(0, "w", W, lw);
  F32(1, "velocity", V, lv);
  F32(2, "grad", G, lg);
  NUM(3, "gradScale", gs);
  NUM(4, "momentum", mom);
  NUM(5, "lr", lr);
  NUM(6, "weightCost", wc);
  LEN("velocity", lv, lw);
  LEN("grad", lg, lw);
  for (size_t i = 0; i < lw; i++) {
    const float v = (float)(mom * (double)V[i] + gs * (double)G[i] + wc * (double)W[i]);
    V[i] = v;
    W[i] = (float)((double)W[i] - lr * (double)v);
  }
  return NULL;
#undef FN
}

// adamStep(w, m, v, grad, gradScale, lr, beta1, beta2, eps, c1, c2, weightCost), with the
// bias corrections c1 = 1/(1 − beta1^step), c2 = 1/(1 − beta2^step) computed by the caller:
//   g = gradScale·grad; m ← beta1·m + (1 − beta1)·g; v ← beta2·v + (1 − beta2)·g²
//   w ← w − lr·(m·c1 / (√(v·c2) + eps) + weightCost·w)
// The loop on its own, with every scalar passed by value (the argument parsing takes their
// addresses; inlined back into the parsing code, GCC 12 left the loop scalar).
__attribute__((noinline)) static void adam_kernel(float *W, float *M, float *V, const float *G,
                                                  size_t n, double gs, double lr, double b1,
                                                  double b2, double eps, double c1, double c2,
                                                  double wc) {
  const double ob1 = 1 - b1;
  const double ob2 = 1 - b2;
  for (size_t i = 0; i < n; i++) {
    const double g = gs * (double)G[i];
    const float m = (float)(b1 * (double)M[i] + ob1 * g);
    const float v = (float)(b2 * (double)V[i] + ob2 * g * g);
    M[i] = m;
    V[i] = v;
    const double w = W[i];
    W[i] = (float)(w - lr * (((double)m * c1) / (sqrt((double)v * c2) + eps) + wc * w));
  }
}

static napi_value ff_adam_step(napi_env env, napi_callback_info info) {
#define FN "adamStep"
  ARGS(12);
  float *W, *M, *V, *G;
  size_t lw, lm, lv, lg;
  double gs, lr, b1, b2, eps, c1, c2, wc;
  F32(0, "w", W, lw);
  F32(1, "m", M, lm);
  F32(2, "v", V, lv);
  F32(3, "grad", G, lg);
  NUM(4, "gradScale", gs);
  NUM(5, "lr", lr);
  NUM(6, "beta1", b1);
  NUM(7, "beta2", b2);
  NUM(8, "eps", eps);
  NUM(9, "c1", c1);
  NUM(10, "c2", c2);
  NUM(11, "weightCost", wc);
  LEN("m", lm, lw);
  LEN("v", lv, lw);
  LEN("grad", lg, lw);
  adam_kernel(W, M, V, G, lw, gs, lr, b1, b2, eps, c1, c2, wc);
  return NULL;
#undef FN
}

// ---- module -----------------------------------------------------------------------------

// blasThreads(): the BLAS thread count where the library says (OpenBLAS), else -1.
static napi_value ff_blas_threads(napi_env env, napi_callback_info info) {
  (void)info;
  int threads = -1;
#if defined(OPENBLAS_VERSION)
  threads = openblas_get_num_threads();
#endif
  napi_value out;
  napi_create_int32(env, threads, &out);
  return out;
}

// blasCore(): the kernel set OpenBLAS chose for this CPU ("Haswell", "SkylakeX", … or
// "Prescott", its fallback for a CPU it does not know), else "" (another BLAS).
static napi_value ff_blas_core(napi_env env, napi_callback_info info) {
  (void)info;
  const char *core = "";
#if defined(OPENBLAS_VERSION)
  core = openblas_get_corename();
  if (core == NULL) core = "";
#endif
  napi_value out;
  napi_create_string_utf8(env, core, NAPI_AUTO_LENGTH, &out);
  return out;
}

// "OpenBLAS 0.3.21", "Accelerate" or "CBLAS", trimmed into buf.
static const char *blas_name(char *buf, size_t size) {
#if defined(FF_USE_ACCELERATE)
  const char *name = "Accelerate";
#elif defined(OPENBLAS_VERSION)
  const char *name = OPENBLAS_VERSION;  // " OpenBLAS 0.3.21 "
#else
  const char *name = "CBLAS";
#endif
  while (*name == ' ') name++;
  snprintf(buf, size, "%s", name);
  size_t n = strlen(buf);
  while (n > 0 && buf[n - 1] == ' ') buf[--n] = 0;
  return buf;
}

NAPI_MODULE_INIT() {
  static const struct {
    const char *name;
    napi_callback cb;
  } fns[] = {
      {"gemm", ff_gemm},
      {"addBias", ff_add_bias},
      {"rowPowerSum", ff_row_power_sum},
      {"normalizeRows", ff_normalize_rows},
      {"scaleRows", ff_scale_rows},
      {"addRowVector", ff_add_row_vector},
      {"colSum", ff_col_sum},
      {"softmaxRows", ff_softmax_rows},
      {"reluBackward", ff_relu_backward},
      {"axpby", ff_axpby},
      {"multiply", ff_multiply},
      {"perturb", ff_perturb},
      {"smoothStep", ff_smooth_step},
      {"smoothApply", ff_smooth_apply},
      {"momentumStep", ff_momentum_step},
      {"adamStep", ff_adam_step},
      {"blasThreads", ff_blas_threads},
      {"blasCore", ff_blas_core},
      {"localForward", ff_local_forward},
      {"localWeightGrad", ff_local_weight_grad},
      {"localInputGrad", ff_local_input_grad},
      {"localIsa", ff_local_isa},
      {"im2col", ff_im2col},
      {"col2im", ff_col2im},
      {"maxPoolForward", ff_max_pool_forward},
      {"maxPoolBackward", ff_max_pool_backward},
      {"avgPoolForward", ff_avg_pool_forward},
      {"avgPoolBackward", ff_avg_pool_backward},
      {"groupNormForward", ff_group_norm_forward},
      {"groupNormBackward", ff_group_norm_backward},
      {"transposeRows", ff_transpose_rows},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    if (napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].cb, NULL, &f) != napi_ok ||
        napi_set_named_property(env, exports, fns[i].name, f) != napi_ok) {
      return NULL;
    }
  }
  char name[64];
  napi_value blas;
  if (napi_create_string_utf8(env, blas_name(name, sizeof name), NAPI_AUTO_LENGTH, &blas) != napi_ok ||
      napi_set_named_property(env, exports, "blas", blas) != napi_ok) {
    return NULL;
  }
  return exports;
}
