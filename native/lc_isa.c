// The locally-connected tiles (native/lc_tiles.h: forward, input gradient, weight gradient) instantiated for AVX-512, AVX2 + FMA and a
// portable scalar fallback, and the choice between them at run time: the addon is built for
// baseline x86-64, and machines differ from one day to the next (AMD AVX2, Intel or AMD
// AVX-512). FF_LC_ISA=avx512|avx2|scalar forces one (benchmarks, tests); a forced ISA the
// CPU lacks falls back to the best it has. All three give the same bits (same summation
// order, fused multiply-adds everywhere).
#include "lc_isa.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

// ---- scalar (every CPU; fmaf rounds once like the vector FMAs) -----------------------------
#define NAME(x) x##_scalar
#define V float
#define VL 1
#define VZERO() 0.0f
#define VLOAD(p) (*(p))
#define VSTORE(p, v) (*(p) = (v))
#define VFMA(a, b, c) fmaf((a), (b), (c))
#define FWD_CB 3
#define FWD_RB 6
#define WG_CB 3
#define WG_KB 6
#include "lc_tiles.h"

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define LC_X86 1
#include <immintrin.h>

// ---- AVX-512 (32 vector registers: tiles of 3 × 8 and 3 × 6 accumulators) ------------------
#pragma GCC push_options
#pragma GCC target("avx512f")
#define NAME(x) x##_avx512
#define V __m512
#define VL 16
#define VZERO() _mm512_setzero_ps()
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSTORE(p, v) _mm512_storeu_ps((p), (v))
#define VFMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define FWD_CB 3
#define FWD_RB 8
#define WG_CB 3
#define WG_KB 6
#include "lc_tiles.h"
#pragma GCC pop_options

// ---- AVX2 + FMA (16 vector registers: tiles of 3 × 4 accumulators, the input operand read from memory by the FMA) --------------------------
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#define NAME(x) x##_avx2
#define V __m256
#define VL 8
#define VZERO() _mm256_setzero_ps()
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, v) _mm256_storeu_ps((p), (v))
#define VFMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define FWD_CB 3
#define FWD_RB 4
#define WG_CB 3
#define WG_KB 4
#include "lc_tiles.h"
#pragma GCC pop_options
#endif

static const lc_isa ISAS[] = {
    {"scalar", 1, 24, FWD_ROWS_scalar, forward_chunk_scalar, input_grad_chunk_scalar, weight_grad_row_scalar},
#ifdef LC_X86
    {"avx2", 8, 24, FWD_ROWS_avx2, forward_chunk_avx2, input_grad_chunk_avx2, weight_grad_row_avx2},
    {"avx512", 16, 24, FWD_ROWS_avx512, forward_chunk_avx512, input_grad_chunk_avx512, weight_grad_row_avx512},
#endif
};

static int supported(const char *name) {
#ifdef LC_X86
  __builtin_cpu_init();
  if (strcmp(name, "avx512") == 0) return __builtin_cpu_supports("avx512f");
  if (strcmp(name, "avx2") == 0) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return strcmp(name, "scalar") == 0;
}

const lc_isa *lc_select_isa(void) {
  const size_t n = sizeof ISAS / sizeof ISAS[0];
  const char *want = getenv("FF_LC_ISA");
  if (want && *want)
    for (size_t i = 0; i < n; i++)
      if (strcmp(ISAS[i].name, want) == 0 && supported(want)) return &ISAS[i];
  for (size_t i = n; i-- > 0;)
    if (supported(ISAS[i].name)) return &ISAS[i];
  return &ISAS[0];
}
