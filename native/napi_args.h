// Argument checking shared by the addon's source files: every kernel takes Float32Arrays and
// plain numbers, checks them, and throws `ff_native.<fn>: <message>` instead of crashing.
#ifndef FF_NAPI_ARGS_H
#define FF_NAPI_ARGS_H

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

#define MAX_ARGS 16

// ---- argument handling ------------------------------------------------------------------

// Throw `ff_native.<fn>: <message>` unless an exception is already pending. Returns false so
// callers can write `return fail(...)`-style checks.
static inline bool fail(napi_env env, const char *fn, const char *fmt, ...) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return false;
  char msg[320];
  int n = snprintf(msg, sizeof msg, "ff_native.%s: ", fn);
  if (n < 0 || (size_t)n >= sizeof msg) n = 0;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
  va_end(ap);
  napi_throw_error(env, NULL, msg);
  return false;
}

static inline bool get_args(napi_env env, napi_callback_info info, const char *fn, size_t want,
                     napi_value *argv) {
  size_t argc = MAX_ARGS;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) {
    return fail(env, fn, "could not read the arguments");
  }
  if (argc != want) return fail(env, fn, "expected %zu arguments, got %zu", want, argc);
  return true;
}

static inline bool get_f32(napi_env env, const char *fn, napi_value v, const char *name, float **data,
                    size_t *len) {
  bool is_ta = false;
  napi_typedarray_type type;
  void *ptr = NULL;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, v, &type, len, &ptr, NULL, NULL) != napi_ok ||
      type != napi_float32_array) {
    return fail(env, fn, "argument '%s' must be a Float32Array", name);
  }
  if (ptr == NULL && *len != 0) return fail(env, fn, "argument '%s' is detached", name);
  *data = (float *)ptr;
  return true;
}

static inline bool get_num(napi_env env, const char *fn, napi_value v, const char *name, double *out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number ||
      napi_get_value_double(env, v, out) != napi_ok) {
    return fail(env, fn, "argument '%s' must be a number", name);
  }
  return true;
}

// A matrix dimension: an integer in [0, INT_MAX] (CBLAS takes int).
static inline bool get_dim(napi_env env, const char *fn, napi_value v, const char *name, size_t *out) {
  double d;
  if (!get_num(env, fn, v, name, &d)) return false;
  if (!(d >= 0 && d <= (double)INT_MAX) || d != floor(d)) {
    return fail(env, fn, "argument '%s' must be an integer in [0, %d], got %g", name, INT_MAX, d);
  }
  *out = (size_t)d;
  return true;
}

static inline bool get_bool(napi_env env, const char *fn, napi_value v, const char *name, bool *out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_boolean ||
      napi_get_value_bool(env, v, out) != napi_ok) {
    return fail(env, fn, "argument '%s' must be a boolean", name);
  }
  return true;
}

static inline bool get_power(napi_env env, const char *fn, napi_value v, int *out) {
  double d;
  if (!get_num(env, fn, v, "power", &d)) return false;
  if (d != 1 && d != 2) return fail(env, fn, "argument 'power' must be 1 or 2, got %g", d);
  *out = (int)d;
  return true;
}

static inline bool need_len(napi_env env, const char *fn, const char *name, size_t len, size_t want) {
  if (len != want) {
    return fail(env, fn, "'%s' has %zu elements, expected %zu", name, len, want);
  }
  return true;
}

static inline bool overlap(const float *a, size_t na, const float *b, size_t nb) {
  return na && nb && (uintptr_t)a < (uintptr_t)(b + nb) && (uintptr_t)b < (uintptr_t)(a + na);
}

// rows·cols without overflow (both are ≤ INT_MAX, so the product fits in 64 bits).
static inline size_t area(size_t rows, size_t cols) { return (size_t)((uint64_t)rows * (uint64_t)cols); }

#define ARGS(n)                                                  \
  napi_value argv[MAX_ARGS];                                     \
  if (!get_args(env, info, FN, (n), argv)) return NULL
#define F32(i, name, ptr, len) \
  if (!get_f32(env, FN, argv[i], name, &ptr, &len)) return NULL
#define NUM(i, name, var) \
  if (!get_num(env, FN, argv[i], name, &var)) return NULL
#define DIM(i, name, var) \
  if (!get_dim(env, FN, argv[i], name, &var)) return NULL
#define BOOL(i, name, var) \
  if (!get_bool(env, FN, argv[i], name, &var)) return NULL
#define LEN(name, len, want) \
  if (!need_len(env, FN, name, len, want)) return NULL

#endif
