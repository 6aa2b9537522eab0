// The WebAssembly engine's convolution kernels: the native addon's (native/conv_kernels.h, one
// source for both), exported with the argument types the JS side passes. Single-threaded: they
// are memory-bound copies and sums next to the gemm, which the worker threads share. clang
// vectorizes the channel loops with SIMD128.
#include "../conv_kernels.h"

static ffc_patch patch(int H, int W, int C, int K, int S, int P) {
  ffc_patch g = {(size_t)H, (size_t)W, (size_t)C, (size_t)K, (size_t)S, (size_t)P, 0, 0};
  g.out_height = (g.height + 2 * g.padding - g.kernel) / g.stride + 1;
  g.out_width = (g.width + 2 * g.padding - g.kernel) / g.stride + 1;
  return g;
}

static ffc_pool pool(int H, int W, int C, int window, int S) {
  ffc_pool g = {(size_t)H, (size_t)W, (size_t)C, (size_t)window, (size_t)S, 0, 0};
  g.out_height = (g.height - g.window) / g.stride + 1;
  g.out_width = (g.width - g.window) / g.stride + 1;
  return g;
}

__attribute__((export_name("ff_im2col")))
void ff_im2col(int n, int H, int W, int C, int K, int S, int P, const float *x, float *cols) {
  const ffc_patch g = patch(H, W, C, K, S, P);
  ffc_im2col(&g, 0, (size_t)n, x, cols);
}

__attribute__((export_name("ff_col2im")))
void ff_col2im(int n, int H, int W, int C, int K, int S, int P, float alpha, const float *cols, float beta, float *x) {
  const ffc_patch g = patch(H, W, C, K, S, P);
  ffc_col2im(&g, 0, (size_t)n, alpha, cols, beta, x);
}

__attribute__((export_name("ff_max_pool_forward")))
void ff_max_pool_forward(int n, int H, int W, int C, int window, int S, const float *x, float *y) {
  const ffc_pool g = pool(H, W, C, window, S);
  ffc_max_pool_forward(&g, 0, (size_t)n, x, y);
}

__attribute__((export_name("ff_max_pool_backward")))
void ff_max_pool_backward(int n, int H, int W, int C, int window, int S, const float *x, const float *dy, float *dx) {
  const ffc_pool g = pool(H, W, C, window, S);
  ffc_max_pool_backward(&g, 0, (size_t)n, x, dy, dx);
}

__attribute__((export_name("ff_avg_pool_forward")))
void ff_avg_pool_forward(int n, int H, int W, int C, int window, int S, const float *x, float *y) {
  const ffc_pool g = pool(H, W, C, window, S);
  ffc_avg_pool_forward(&g, 0, (size_t)n, x, y);
}

__attribute__((export_name("ff_avg_pool_backward")))
void ff_avg_pool_backward(int n, int H, int W, int C, int window, int S, const float *dy, float *dx) {
  const ffc_pool g = pool(H, W, C, window, S);
  ffc_avg_pool_backward(&g, 0, (size_t)n, dy, dx);
}

__attribute__((export_name("ff_group_norm_forward")))
void ff_group_norm_forward(int n, int positions, int channels, int groups, double eps, const float *x, float *y, float *stats) {
  const ffc_gnorm g = {(size_t)positions, (size_t)channels, (size_t)groups};
  ffc_group_norm_forward(&g, 0, (size_t)n, eps, x, y, stats);
}

__attribute__((export_name("ff_group_norm_backward")))
void ff_group_norm_backward(int n, int positions, int channels, int groups, const float *y, const float *dy, const float *stats, float *dx) {
  const ffc_gnorm g = {(size_t)positions, (size_t)channels, (size_t)groups};
  ffc_group_norm_backward(&g, 0, (size_t)n, y, dy, stats, dx);
}

__attribute__((export_name("ff_transpose_rows")))
void ff_transpose_rows(int n, int p, int q, const float *x, float *out) {
  ffc_transpose_rows(0, (size_t)n, (size_t)p, (size_t)q, x, out);
}
