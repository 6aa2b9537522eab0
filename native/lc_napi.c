// Node-API wrappers of the locally-connected kernels (native/lc_kernels.c). All three take
//   (a, b, out, rows, height, width, inChannels, outChannels, window, alpha, beta)
// and compute out = alpha·f(a, b) + beta·out (beta = 0 overwrites):
//   localForward(x, w, y, …)       y  = LC(x, w)            x: rows × Cin·H·W, y: rows × Cout·H·W
//   localWeightGrad(x, dy, dw, …)  dw = Σ_rows x_window ⊗ dy  w, dw: (H·Cout·Cin·K·K) × W
//   localInputGrad(dy, w, dx, …)   dx = LCᵀ(dy, w)
#include "lc_napi.h"

#include "lc_isa.h"
#include "lc_kernels.h"

enum lc_kind { LC_FORWARD, LC_WEIGHT_GRAD, LC_INPUT_GRAD };

static napi_value lc_call(napi_env env, napi_callback_info info, const char *FN, enum lc_kind kind) {
  static const char *names[3][3] = {{"x", "w", "y"}, {"x", "dy", "dw"}, {"dy", "w", "dx"}};
  const char **nm = names[kind];
  ARGS(11);
  float *A, *B, *O;
  size_t la, lb, lo, rows;
  lc_geom g;
  double alpha, beta;
  F32(0, nm[0], A, la);
  F32(1, nm[1], B, lb);
  F32(2, nm[2], O, lo);
  DIM(3, "rows", rows);
  DIM(4, "height", g.height);
  DIM(5, "width", g.width);
  DIM(6, "inChannels", g.in_channels);
  DIM(7, "outChannels", g.out_channels);
  DIM(8, "window", g.window);
  NUM(9, "alpha", alpha);
  NUM(10, "beta", beta);
  if (g.window % 2 == 0 || g.window > 255) {
    fail(env, FN, "argument 'window' must be odd and at most 255, got %zu", g.window);
    return NULL;
  }
  // Sizes as doubles first: a product that overflows must fail the check, not wrap.
  const double plane = (double)g.height * (double)g.width;
  const double in = (double)rows * g.in_channels * plane, out = (double)rows * g.out_channels * plane;
  const double weights = plane * g.out_channels * g.in_channels * g.window * g.window;
  if (in > 1e15 || out > 1e15 || weights > 1e15) {
    fail(env, FN, "geometry too large");
    return NULL;
  }
  const size_t sizes[3][3] = {{(size_t)in, (size_t)weights, (size_t)out},
                              {(size_t)in, (size_t)out, (size_t)weights},
                              {(size_t)out, (size_t)weights, (size_t)in}};
  LEN(nm[0], la, sizes[kind][0]);
  LEN(nm[1], lb, sizes[kind][1]);
  LEN(nm[2], lo, sizes[kind][2]);
  if (overlap(O, lo, A, la) || overlap(O, lo, B, lb)) {
    fail(env, FN, "the output %s must not share memory with %s or %s", nm[2], nm[0], nm[1]);
    return NULL;
  }
  if (lo == 0) return NULL;
  int rc = kind == LC_FORWARD       ? lc_forward(&g, rows, (float)alpha, A, B, (float)beta, O)
           : kind == LC_WEIGHT_GRAD ? lc_weight_grad(&g, rows, (float)alpha, A, B, (float)beta, O)
                                    : lc_input_grad(&g, rows, (float)alpha, A, B, (float)beta, O);
  if (rc != 0) fail(env, FN, "out of memory");
  return NULL;
}

napi_value ff_local_forward(napi_env env, napi_callback_info info) {
  return lc_call(env, info, "localForward", LC_FORWARD);
}

napi_value ff_local_weight_grad(napi_env env, napi_callback_info info) {
  return lc_call(env, info, "localWeightGrad", LC_WEIGHT_GRAD);
}

napi_value ff_local_input_grad(napi_env env, napi_callback_info info) {
  return lc_call(env, info, "localInputGrad", LC_INPUT_GRAD);
}

// localIsa(): the instruction set the LC kernels run on now ("avx512", "avx2" or "scalar";
// FF_LC_ISA forces one the CPU has).
napi_value ff_local_isa(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value name;
  if (napi_create_string_utf8(env, lc_select_isa()->name, NAPI_AUTO_LENGTH, &name) != napi_ok) return NULL;
  return name;
}
