// Node-API wrappers of the convolution kernels (native/conv_kernels.h; layout in
// src/engine/conv-geometry.ts). Each checks its Float32Arrays' lengths against the geometry,
// refuses outputs that share memory with inputs (except where the Engine allows it), and
// splits the images over the kernel threads (parallel.h): disjoint outputs, the same sums in
// the same order, so the result never depends on the thread count.
//   im2col(x, cols, n, H, W, C, K, stride, pad)
//   col2im(cols, x, n, H, W, C, K, stride, pad, alpha, beta)
//   maxPoolForward(x, y, n, H, W, C, window, stride)      maxPoolBackward(x, dy, dx, n, …)
//   avgPoolForward(x, y, n, H, W, C, window, stride)      avgPoolBackward(dy, dx, n, …)
//   groupNormForward(x, y, stats, n, positions, channels, groups, eps)
//   groupNormBackward(y, dy, stats, dx, n, positions, channels, groups)
//   transposeRows(x, out, n, p, q)
#include "conv_napi.h"

#include "conv_kernels.h"
#include "parallel.h"

enum conv_kind { IM2COL, COL2IM, MAX_FWD, MAX_BWD, AVG_FWD, AVG_BWD, GN_FWD, GN_BWD, TRANSPOSE };

typedef struct {
  enum conv_kind kind;
  ffc_patch patch;
  ffc_pool pool;
  ffc_gnorm norm;
  const float *a, *b, *c;
  float *out;
  float alpha, beta;
  double eps;
  size_t p, q;
} conv_job;

static void conv_range(void *ctx, size_t lo, size_t hi) {
  const conv_job *j = ctx;
  switch (j->kind) {
    case IM2COL: ffc_im2col(&j->patch, lo, hi, j->a, j->out); break;
    case COL2IM: ffc_col2im(&j->patch, lo, hi, j->alpha, j->a, j->beta, j->out); break;
    case MAX_FWD: ffc_max_pool_forward(&j->pool, lo, hi, j->a, j->out); break;
    case MAX_BWD: ffc_max_pool_backward(&j->pool, lo, hi, j->a, j->b, j->out); break;
    case AVG_FWD: ffc_avg_pool_forward(&j->pool, lo, hi, j->a, j->out); break;
    case AVG_BWD: ffc_avg_pool_backward(&j->pool, lo, hi, j->a, j->out); break;
    case GN_FWD: ffc_group_norm_forward(&j->norm, lo, hi, j->eps, j->a, j->out, (float *)j->b); break;
    case GN_BWD: ffc_group_norm_backward(&j->norm, lo, hi, j->a, j->b, j->c, j->out); break;
    case TRANSPOSE: ffc_transpose_rows(lo, hi, j->p, j->q, j->a, j->out); break;
  }
}

// Images per thread at least: about 64k values each, so small batches stay on one thread.
static void run(conv_job *j, size_t n, double values_per_image) {
  const double grain = values_per_image > 0 ? 65536.0 / values_per_image : 1.0;
  ff_parallel_for(n, grain < 1 ? 1 : (size_t)grain, conv_range, j);
}

// Sizes as doubles first: a product that overflows must fail the check, not wrap.
static bool fits(napi_env env, const char *FN, double v) {
  if (v > 1e15) return fail(env, FN, "geometry too large");
  return true;
}

static bool read_patch(napi_env env, const char *FN, napi_value *argv, int at, ffc_patch *g) {
  const char *names[6] = {"height", "width", "channels", "kernel", "stride", "padding"};
  size_t *dst[6] = {&g->height, &g->width, &g->channels, &g->kernel, &g->stride, &g->padding};
  for (int k = 0; k < 6; k++)
    if (!get_dim(env, FN, argv[at + k], names[k], dst[k])) return false;
  if (!g->height || !g->width || !g->channels || !g->kernel || !g->stride) return fail(env, FN, "sizes, channels, kernel and stride must be positive");
  if (g->padding >= g->kernel || g->height + 2 * g->padding < g->kernel || g->width + 2 * g->padding < g->kernel) {
    return fail(env, FN, "padding must be below the kernel, and the kernel fit the padded map");
  }
  g->out_height = (g->height + 2 * g->padding - g->kernel) / g->stride + 1;
  g->out_width = (g->width + 2 * g->padding - g->kernel) / g->stride + 1;
  return fits(env, FN, (double)g->out_height * g->out_width * g->kernel * g->kernel * g->channels);
}

static bool read_pool(napi_env env, const char *FN, napi_value *argv, int at, ffc_pool *g) {
  const char *names[5] = {"height", "width", "channels", "window", "stride"};
  size_t *dst[5] = {&g->height, &g->width, &g->channels, &g->window, &g->stride};
  for (int k = 0; k < 5; k++)
    if (!get_dim(env, FN, argv[at + k], names[k], dst[k])) return false;
  if (!g->height || !g->width || !g->channels || !g->window || !g->stride) return fail(env, FN, "sizes, channels, window and stride must be positive");
  if (g->window > g->height || g->window > g->width) return fail(env, FN, "the window must fit the map");
  g->out_height = (g->height - g->window) / g->stride + 1;
  g->out_width = (g->width - g->window) / g->stride + 1;
  return fits(env, FN, (double)g->height * g->width * g->channels);
}

static bool read_norm(napi_env env, const char *FN, napi_value *argv, int at, ffc_gnorm *g) {
  if (!get_dim(env, FN, argv[at], "positions", &g->positions) || !get_dim(env, FN, argv[at + 1], "channels", &g->channels) ||
      !get_dim(env, FN, argv[at + 2], "groups", &g->groups)) {
    return false;
  }
  if (!g->positions || !g->channels || !g->groups || g->channels % g->groups) return fail(env, FN, "groups must split the channels evenly");
  return fits(env, FN, (double)g->positions * g->channels);
}

static bool disjoint(napi_env env, const char *FN, const char *out_name, const float *o, size_t lo, const char *in_name, const float *i, size_t li) {
  if (overlap(o, lo, i, li)) return fail(env, FN, "the output %s must not share memory with %s", out_name, in_name);
  return true;
}

napi_value ff_im2col(napi_env env, napi_callback_info info) {
  static const char *FN = "im2col";
  ARGS(9);
  float *x, *cols;
  size_t lx, lc, n;
  conv_job j = {.kind = IM2COL};
  F32(0, "x", x, lx);
  F32(1, "cols", cols, lc);
  DIM(2, "n", n);
  if (!read_patch(env, FN, argv, 3, &j.patch)) return NULL;
  const ffc_patch *g = &j.patch;
  const double fin = (double)g->height * g->width * g->channels, per = (double)g->out_height * g->out_width * g->kernel * g->kernel * g->channels;
  if (!fits(env, FN, n * fin) || !fits(env, FN, n * per)) return NULL;
  LEN("x", lx, (size_t)(n * fin));
  LEN("cols", lc, (size_t)(n * per));
  if (!disjoint(env, FN, "cols", cols, lc, "x", x, lx)) return NULL;
  j.a = x;
  j.out = cols;
  run(&j, n, per);
  return NULL;
}

napi_value ff_col2im(napi_env env, napi_callback_info info) {
  static const char *FN = "col2im";
  ARGS(11);
  float *cols, *x;
  size_t lc, lx, n;
  double alpha, beta;
  conv_job j = {.kind = COL2IM};
  F32(0, "cols", cols, lc);
  F32(1, "x", x, lx);
  DIM(2, "n", n);
  if (!read_patch(env, FN, argv, 3, &j.patch)) return NULL;
  NUM(9, "alpha", alpha);
  NUM(10, "beta", beta);
  const ffc_patch *g = &j.patch;
  const double fin = (double)g->height * g->width * g->channels, per = (double)g->out_height * g->out_width * g->kernel * g->kernel * g->channels;
  if (!fits(env, FN, n * fin) || !fits(env, FN, n * per)) return NULL;
  LEN("cols", lc, (size_t)(n * per));
  LEN("x", lx, (size_t)(n * fin));
  if (!disjoint(env, FN, "x", x, lx, "cols", cols, lc)) return NULL;
  j.a = cols;
  j.out = x;
  j.alpha = (float)alpha;
  j.beta = (float)beta;
  run(&j, n, per);
  return NULL;
}

// The four pooling kernels: (in, [dy,] out, n, H, W, C, window, stride).
static napi_value pool_call(napi_env env, napi_callback_info info, const char *FN, enum conv_kind kind) {
  const bool two_inputs = kind == MAX_BWD;
  const int at = two_inputs ? 4 : 3;
  ARGS((size_t)at + 5);
  float *a, *b = NULL, *o;
  size_t la, lb = 0, lo, n;
  conv_job j = {.kind = kind};
  // Forward: a = x (maps), o = y (pooled). MAX_BWD: a = x, b = dy, o = dx. AVG_BWD: a = dy, o = dx.
  const char *na = kind == AVG_BWD ? "dy" : "x", *no = kind == MAX_FWD || kind == AVG_FWD ? "y" : "dx";
  F32(0, na, a, la);
  if (two_inputs) F32(1, "dy", b, lb);
  F32(at - 2, no, o, lo);
  DIM(at - 1, "n", n);
  if (!read_pool(env, FN, argv, at, &j.pool)) return NULL;
  const ffc_pool *g = &j.pool;
  const double maps = (double)n * g->height * g->width * g->channels, pooled = (double)n * g->out_height * g->out_width * g->channels;
  if (!fits(env, FN, maps)) return NULL;
  const bool a_is_maps = kind != AVG_BWD, o_is_maps = kind == MAX_BWD || kind == AVG_BWD;
  LEN(na, la, (size_t)(a_is_maps ? maps : pooled));
  if (two_inputs) LEN("dy", lb, (size_t)pooled);
  LEN(no, lo, (size_t)(o_is_maps ? maps : pooled));
  if (!disjoint(env, FN, no, o, lo, na, a, la) || (two_inputs && !disjoint(env, FN, no, o, lo, "dy", b, lb))) return NULL;
  j.a = a;
  j.b = b;
  j.out = o;
  run(&j, n, (double)g->height * g->width * g->channels);
  return NULL;
}

napi_value ff_max_pool_forward(napi_env env, napi_callback_info info) { return pool_call(env, info, "maxPoolForward", MAX_FWD); }
napi_value ff_max_pool_backward(napi_env env, napi_callback_info info) { return pool_call(env, info, "maxPoolBackward", MAX_BWD); }
napi_value ff_avg_pool_forward(napi_env env, napi_callback_info info) { return pool_call(env, info, "avgPoolForward", AVG_FWD); }
napi_value ff_avg_pool_backward(napi_env env, napi_callback_info info) { return pool_call(env, info, "avgPoolBackward", AVG_BWD); }

napi_value ff_group_norm_forward(napi_env env, napi_callback_info info) {
  static const char *FN = "groupNormForward";
  ARGS(8);
  float *x, *y, *stats;
  size_t lx, ly, ls, n;
  conv_job j = {.kind = GN_FWD};
  F32(0, "x", x, lx);
  F32(1, "y", y, ly);
  F32(2, "stats", stats, ls);
  DIM(3, "n", n);
  if (!read_norm(env, FN, argv, 4, &j.norm)) return NULL;
  NUM(7, "eps", j.eps);
  if (!(j.eps > 0 && isfinite(j.eps))) {
    fail(env, FN, "eps must be a positive number");
    return NULL;
  }
  const double len = (double)n * j.norm.positions * j.norm.channels;
  if (!fits(env, FN, len)) return NULL;
  LEN("x", lx, (size_t)len);
  LEN("y", ly, (size_t)len);
  LEN("stats", ls, n * 2 * j.norm.groups);
  // y may be x (each value is read before it is written), but stats is separate.
  if (!disjoint(env, FN, "stats", stats, ls, "x", x, lx) || !disjoint(env, FN, "stats", stats, ls, "y", y, ly)) return NULL;
  if (x != y && !disjoint(env, FN, "y", y, ly, "x", x, lx)) return NULL;
  j.a = x;
  j.b = stats;
  j.out = y;
  run(&j, n, (double)j.norm.positions * j.norm.channels);
  return NULL;
}

napi_value ff_group_norm_backward(napi_env env, napi_callback_info info) {
  static const char *FN = "groupNormBackward";
  ARGS(8);
  float *y, *dy, *stats, *dx;
  size_t ly, ld, ls, lx, n;
  conv_job j = {.kind = GN_BWD};
  F32(0, "y", y, ly);
  F32(1, "dy", dy, ld);
  F32(2, "stats", stats, ls);
  F32(3, "dx", dx, lx);
  DIM(4, "n", n);
  if (!read_norm(env, FN, argv, 5, &j.norm)) return NULL;
  const double len = (double)n * j.norm.positions * j.norm.channels;
  if (!fits(env, FN, len)) return NULL;
  LEN("y", ly, (size_t)len);
  LEN("dy", ld, (size_t)len);
  LEN("stats", ls, n * 2 * j.norm.groups);
  LEN("dx", lx, (size_t)len);
  // dx may be dy or y exactly (a group's sums are done before any of its dx is written).
  if (!disjoint(env, FN, "dx", dx, lx, "stats", stats, ls) || (dx != dy && !disjoint(env, FN, "dx", dx, lx, "dy", dy, ld)) ||
      (dx != y && !disjoint(env, FN, "dx", dx, lx, "y", y, ly))) {
    return NULL;
  }
  j.a = y;
  j.b = dy;
  j.c = stats;
  j.out = dx;
  run(&j, n, (double)j.norm.positions * j.norm.channels);
  return NULL;
}

napi_value ff_transpose_rows(napi_env env, napi_callback_info info) {
  static const char *FN = "transposeRows";
  ARGS(5);
  float *x, *o;
  size_t lx, lo, n;
  conv_job j = {.kind = TRANSPOSE};
  F32(0, "x", x, lx);
  F32(1, "out", o, lo);
  DIM(2, "n", n);
  DIM(3, "p", j.p);
  DIM(4, "q", j.q);
  const double len = (double)n * j.p * j.q;
  if (!fits(env, FN, len)) return NULL;
  LEN("x", lx, (size_t)len);
  LEN("out", lo, (size_t)len);
  if (!disjoint(env, FN, "out", o, lo, "x", x, lx)) return NULL;
  j.a = x;
  j.out = o;
  run(&j, n, (double)j.p * j.q);
  return NULL;
}
