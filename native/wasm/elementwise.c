// The WebAssembly engine's memory-bound kernels that a training step calls most (after the
// products): bias + ReLU, column sums, the smoothed update, row normalization (with the
// goodness), the FF gradient's row scaling, row-vector adds — the native addon's kernels
// (native/elementwise.h, one source for both), exported with the argument types the JS side
// passes. clang vectorizes the loops with SIMD128.
#include "../elementwise.h"

__attribute__((export_name("ff_add_bias")))
void ff_add_bias(float *x, int rows, int cols, const float *b, int relu) {
  ffk_add_bias(x, (size_t)rows, (size_t)cols, b, relu);
}

__attribute__((export_name("ff_col_sum")))
void ff_col_sum(const float *x, int rows, int cols, float *out, double alpha, double beta, double *acc) {
  ffk_col_sum(x, (size_t)rows, (size_t)cols, out, alpha, beta, acc);
}

__attribute__((export_name("ff_smooth_apply")))
void ff_smooth_apply(float *restrict w, const float *restrict s, int n, float lr, float wc) {
  ffk_smooth_apply(w, s, (size_t)n, lr, wc);
}

__attribute__((export_name("ff_normalize_rows")))
void ff_normalize_rows(const float *x, int rows, int cols, float *out, int rms, double eps, float *sum_sq) {
  ffk_normalize_rows(x, (size_t)rows, (size_t)cols, out, rms, eps, sum_sq);
}

__attribute__((export_name("ff_scale_rows")))
void ff_scale_rows(const float *y, int rows, int cols, const float *coef, float *out, int power, double beta) {
  ffk_scale_rows(y, (size_t)rows, (size_t)cols, coef, out, power, beta);
}

__attribute__((export_name("ff_add_row_vector")))
void ff_add_row_vector(float *x, int rows, int cols, const float *v, double alpha) {
  ffk_add_row_vector(x, (size_t)rows, (size_t)cols, v, alpha);
}
