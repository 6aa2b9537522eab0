// The WebAssembly engine's matrix product: c = alpha·op(a)·op(b) + beta·c on row-major float32
// matrices in the module's memory, op(x) = x or xᵀ, with SIMD128 (4 lanes). Compiled by
// scripts/build-wasm.mjs (clang --target=wasm32); the JS side (src/engine/wasm-backend.ts)
// owns the memory and passes byte offsets.
//
// GotoBLAS / BLIS structure, as js-gemm.ts: op(b) packed per KC×NC block into panels of NR = 8
// columns (k-major), op(a) per MC×KC block into panels of MR rows (k-major) — the transposes
// are handled by the packing, so one micro-kernel serves all four cases. The micro-kernel holds
// a 4×8 tile of c in 8 vector registers. Measured in Node 20 on a Zen 5 core: 4×8 ≈ 46 GFLOP/s;
// 6×8 ≈ 26, 5×8 ≈ 22 (too many live registers for V8, which spills), 4×8 unrolled by 2 or 4
// ≈ 30. SIMD128 has no fused multiply-add: a multiply and an add, each rounded. A range of
// columns [col_lo, col_hi) can be computed alone, so the JS side splits the columns across
// workers sharing this memory (each with its own scratch).

#include <wasm_simd128.h>

#define MR 4
#define NR 8
#define KC 256
#define MC 128 /* a multiple of MR */
#define NC 1024 /* a multiple of NR */

// Scratch per caller (passed in, from the JS side's allocator: static buffers would be data
// segments of a module whose memory is imported): pack_a MC·KC, pack_b KC·NC, the tile MR·NR.
// Callers on other threads pass their own. Nothing lives on the shadow stack either: every
// instance on every thread starts it at the same address.
#define SCRATCH_FLOATS (MC * KC + KC * NC + MR * NR)

__attribute__((export_name("ff_gemm_scratch_floats")))
int ff_gemm_scratch_floats(void) { return SCRATCH_FLOATS; }

static inline int min_int(int a, int b) { return a < b ? a : b; }

// op(a) rows [i0, i0+mc) × k [p0, p0+kc) into MR-row panels: dst[(panel·kc + p)·MR + r].
static void pack_a_block(const float *a, int lda, int trans, int i0, int mc, int p0, int kc, float *dst) {
  for (int i = 0; i < mc; i += MR) {
    int mr = min_int(MR, mc - i);
    if (!trans) {
      for (int p = 0; p < kc; p++) {
        const float *col = a + (long)(i0 + i) * lda + p0 + p;
        int r = 0;
        for (; r < mr; r++) dst[r] = col[(long)r * lda];
        for (; r < MR; r++) dst[r] = 0.0f;
        dst += MR;
      }
    } else {
      // a is k×m: row p of a holds op(a)'s column p, contiguous over i.
      for (int p = 0; p < kc; p++) {
        const float *row = a + (long)(p0 + p) * lda + i0 + i;
        int r = 0;
        for (; r < mr; r++) dst[r] = row[r];
        for (; r < MR; r++) dst[r] = 0.0f;
        dst += MR;
      }
    }
  }
}

// op(b) k [p0, p0+kc) × columns [j0, j0+nc) into NR-column panels: dst[(panel·kc + p)·NR + j].
static void pack_b_block(const float *b, int ldb, int trans, int p0, int kc, int j0, int nc, float *dst) {
  for (int j = 0; j < nc; j += NR) {
    int nr = min_int(NR, nc - j);
    if (!trans && nr == NR) {
      for (int p = 0; p < kc; p++) {
        const float *row = b + (long)(p0 + p) * ldb + j0 + j;
        wasm_v128_store(dst, wasm_v128_load(row));
        wasm_v128_store(dst + 4, wasm_v128_load(row + 4));
        dst += NR;
      }
    } else if (!trans) {
      for (int p = 0; p < kc; p++) {
        const float *row = b + (long)(p0 + p) * ldb + j0 + j;
        int c = 0;
        for (; c < nr; c++) dst[c] = row[c];
        for (; c < NR; c++) dst[c] = 0.0f;
        dst += NR;
      }
    } else {
      // b is n×k: op(b)[p][j] = b[j][p].
      for (int p = 0; p < kc; p++) {
        int c = 0;
        for (; c < nr; c++) dst[c] = b[(long)(j0 + j + c) * ldb + p0 + p];
        for (; c < NR; c++) dst[c] = 0.0f;
        dst += NR;
      }
    }
  }
}

// acc (MR×NR, row-major) = Σ_p pa[p]ᵀ ⊗ pb[p] over kc steps.
static void micro_kernel(int kc, const float *pa, const float *pb, float *acc) {
  v128_t c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  v128_t c30 = c00, c31 = c00;
  for (int p = 0; p < kc; p++) {
    v128_t b0 = wasm_v128_load(pb);
    v128_t b1 = wasm_v128_load(pb + 4);
    v128_t a;
    a = wasm_f32x4_splat(pa[0]);
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(a, b0));
    c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(a, b1));
    a = wasm_f32x4_splat(pa[1]);
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(a, b0));
    c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(a, b1));
    a = wasm_f32x4_splat(pa[2]);
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(a, b0));
    c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(a, b1));
    a = wasm_f32x4_splat(pa[3]);
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(a, b0));
    c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(a, b1));
    pa += MR;
    pb += NR;
  }
  wasm_v128_store(acc + 0, c00);
  wasm_v128_store(acc + 4, c01);
  wasm_v128_store(acc + 8, c10);
  wasm_v128_store(acc + 12, c11);
  wasm_v128_store(acc + 16, c20);
  wasm_v128_store(acc + 20, c21);
  wasm_v128_store(acc + 24, c30);
  wasm_v128_store(acc + 28, c31);
}

// c[i][j] = alpha·acc + beta·c (first k block: beta as given, 0 overwriting NaNs; later blocks: 1).
static void store_tile(float *c, int ldc, int mr, int nr, const float *acc, float alpha, float beta) {
  for (int r = 0; r < mr; r++) {
    float *row = c + (long)r * ldc;
    const float *t = acc + r * NR;
    if (beta == 0.0f) {
      for (int j = 0; j < nr; j++) row[j] = alpha * t[j];
    } else if (beta == 1.0f) {
      for (int j = 0; j < nr; j++) row[j] += alpha * t[j];
    } else {
      for (int j = 0; j < nr; j++) row[j] = alpha * t[j] + beta * row[j];
    }
  }
}

static void scale_c(float *c, int m, int n, int j_lo, int j_hi, float beta) {
  for (int i = 0; i < m; i++) {
    float *row = c + (long)i * n;
    for (int j = j_lo; j < j_hi; j++) row[j] = beta == 0.0f ? 0.0f : beta * row[j];
  }
}

/**
 * c (m×n) = alpha·op(a)·op(b) + beta·c for columns [col_lo, col_hi) of c only (the whole
 * product: 0, n). a is m×k (k×m when trans_a), b k×n (n×k when trans_b). `scratch` holds
 * ff_gemm_scratch_floats() floats, 16-byte aligned, one per concurrent caller.
 */
__attribute__((export_name("ff_gemm")))
void ff_gemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, const float *b,
            float beta, float *c, int col_lo, int col_hi, float *scratch) {
  if (m <= 0 || col_hi <= col_lo) return;
  if (k <= 0 || alpha == 0.0f) {
    scale_c(c, m, n, col_lo, col_hi, beta);
    return;
  }
  const int lda = trans_a ? m : k;
  const int ldb = trans_b ? k : n;
  float *pa = scratch;
  float *pb = pa + MC * KC;
  float *acc = pb + KC * NC;
  for (int jc = col_lo; jc < col_hi; jc += NC) {
    const int nc = min_int(NC, col_hi - jc);
    for (int pc = 0; pc < k; pc += KC) {
      const int kc = min_int(KC, k - pc);
      const float bt = pc == 0 ? beta : 1.0f;
      pack_b_block(b, ldb, trans_b, pc, kc, jc, nc, pb);
      for (int ic = 0; ic < m; ic += MC) {
        const int mc = min_int(MC, m - ic);
        pack_a_block(a, lda, trans_a, ic, mc, pc, kc, pa);
        for (int jr = 0; jr < nc; jr += NR) {
          const int nr = min_int(NR, nc - jr);
          const float *bp = pb + (long)(jr / NR) * kc * NR;
          for (int ir = 0; ir < mc; ir += MR) {
            const int mr = min_int(MR, mc - ir);
            micro_kernel(kc, pa + (long)(ir / MR) * kc * MR, bp, acc);
            store_tile(c + (long)(ic + ir) * n + jc + jr, n, mr, nr, acc, alpha, bt);
          }
        }
      }
    }
  }
}
