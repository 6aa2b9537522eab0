// perturb(x, out, mul, add, seed, stream): out[e] = x[e]·(1 + mul·n1) + add·n2 for every element
// index e of x, in double, rounded once to float32; a zero mul or add leaves its term out. out
// may be x. n1, n2 are hashed from (seed, stream, e) with integer arithmetic only — the scheme
// of perturbNoise in src/engine/js-backend.ts, which this file repeats bit for bit:
//   key = fmix32(fmix32(seed ^ GOLDEN) ^ stream)
//   bk  = fmix32(key + b·GOLDEN), b = e / 2^29    (a fresh key per 2^29 elements, so that
//   c   = (e mod 2^29)·8 + k                       the counter c fits 32 bits)
//   u_k = fmix32(fmix32(c ^ bk) + bk) >> 8         draw k ∈ 0..7, 24 bits
//   n1  = (u0+u1+u2+u3 − 2^25)·√3/2^24, n2 the same from u4..u7
// One thread, like the other elementwise kernels (smooth_apply_kernel in ff_native.c says why);
// each element's noise depends on its index alone, so a split over threads would not change it.
#include "noise.h"

#include "napi_args.h"

#define GOLDEN 0x9e3779b9u
#define NOISE_BLOCK_BITS 29
// √3/2^24 (1.7320508075688772 is sqrt(3.0) in double, as Math.sqrt(3) gives it).
static const double NOISE_SCALE = 1.7320508075688772 / 16777216.0;

// murmur3's 32-bit finalizer.
static inline uint32_t fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

// The centred, scaled sum of the four 24-bit draws k0..k0+3 of counter base c (= local e·8).
static inline double noise_normal(uint32_t bk, uint32_t c, uint32_t k0) {
  uint32_t s = 0;  // < 4·2^24: no overflow
  for (uint32_t k = k0; k < k0 + 4; k++) s += fmix32(fmix32((c + k) ^ bk) + bk) >> 8;
  return ((double)s - 33554432.0) * NOISE_SCALE;
}

// The n elements of one counter block (key bk), e counted from the block's start.
__attribute__((noinline)) static void perturb_block(const float *X, float *O, size_t n, uint32_t bk,
                                                    double mul, double add) {
  for (size_t e = 0; e < n; e++) {
    const uint32_t c = (uint32_t)e << 3;
    // x·1 is x exactly, so a zero mul (or add) never needs its draws.
    const double f = mul == 0 ? 1.0 : 1.0 + mul * noise_normal(bk, c, 0);
    const double v = (double)X[e] * f;
    O[e] = (float)(add == 0 ? v : v + add * noise_normal(bk, c, 4));
  }
}

static bool get_u32(napi_env env, const char *fn, napi_value v, const char *name, uint32_t *out) {
  double d;
  if (!get_num(env, fn, v, name, &d)) return false;
  if (!(d >= 0 && d <= 4294967295.0) || d != floor(d)) {
    return fail(env, fn, "argument '%s' must be an integer in [0, 4294967295], got %g", name, d);
  }
  *out = (uint32_t)d;
  return true;
}

napi_value ff_perturb(napi_env env, napi_callback_info info) {
#define FN "perturb"
  ARGS(6);
  float *X = NULL, *O = NULL;
  size_t lx, lo;
  double mul, add;
  uint32_t seed, stream;
  F32(0, "x", X, lx);
  F32(1, "out", O, lo);
  NUM(2, "mul", mul);
  NUM(3, "add", add);
  if (!get_u32(env, FN, argv[4], "seed", &seed) || !get_u32(env, FN, argv[5], "stream", &stream)) return NULL;
  if (!isfinite(mul) || !isfinite(add)) {
    fail(env, FN, "mul and add must be finite, got %g and %g", mul, add);
    return NULL;
  }
  LEN("out", lo, lx);
  const uint32_t key = fmix32(fmix32(seed ^ GOLDEN) ^ stream);
  const size_t block = (size_t)1 << NOISE_BLOCK_BITS;
  for (size_t start = 0; start < lx; start += block) {
    const uint32_t b = (uint32_t)(start >> NOISE_BLOCK_BITS);
    const size_t n = lx - start < block ? lx - start : block;
    perturb_block(X + start, O + start, n, fmix32(key + b * GOLDEN), mul, add);
  }
  return NULL;
#undef FN
}
