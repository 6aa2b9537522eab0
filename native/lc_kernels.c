// Locally-connected layer kernels (see lc_kernels.h for the layout). Chosen by measurement
// (docs/results.md, "Locally-connected layer"): direct loops, the innermost one along a map
// row (px), where the weights of neighbouring units are contiguous — so one vector operation
// serves several units, and no per-location small matrix product (which BLAS does badly at
// 3 output columns) or 3072×3072 masked dense product is needed. The source map is copied
// once into a buffer with K/2 zero columns on each side of every map row, so "zero outside
// the map" costs no branches in the inner loops; rows outside the map are skipped.
//
// The hot loops are compiled for AVX-512, AVX2 and baseline x86-64 (GCC target_clones,
// picked at load time), since the addon itself is built for baseline x86-64.
//
// Threads (parallel.h): each kernel splits its work into contiguous ranges of outputs —
// batch rows for forward and input gradient, map rows (py) for the weight gradient. Every
// output is summed by one thread in the same order as on one thread, so the result does not
// depend on the thread count (bit for bit). The kernels run while the BLAS threads are idle.
#include "lc_kernels.h"

#include <stdlib.h>
#include <string.h>

#include "parallel.h"

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define LC_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define LC_CLONES
#endif

// Rows handled together in forward and input-gradient passes: their accumulators
// (ROW_CHUNK × channels × W floats) stay in L1/L2 while one map row's weights stream past.
#define ROW_CHUNK 32
// Register blocks: ROW_BLOCK rows × MAX_LANES neighbouring units of a map row.
#define ROW_BLOCK 4
#define MAX_LANES 16

// out[i] = alpha·acc[i] + beta·out[i]; beta = 0 overwrites (NaN in out vanishes).
static void store_scaled(float *restrict out, const float *restrict acc, size_t n, float alpha,
                         float beta) {
  if (beta == 0) {
    for (size_t i = 0; i < n; i++) out[i] = alpha * acc[i];
  } else {
    for (size_t i = 0; i < n; i++) out[i] = alpha * acc[i] + beta * out[i];
  }
}

// Copy `rows` maps of `channels` planes (H×W) into planes of H×(W + 2r) with r zero columns
// on each side of every map row.
static void pad_columns(const float *src, size_t rows, size_t channels, size_t h, size_t w,
                        size_t r, float *dst) {
  const size_t wp = w + 2 * r;
  memset(dst, 0, rows * channels * h * wp * sizeof(float));
  for (size_t m = 0; m < rows * channels * h; m++) memcpy(dst + m * wp + r, src + m * w, w * sizeof(float));
}

// ---- forward ------------------------------------------------------------------------------

// LANES units of one map row × NR rows, summed over every tap in registers:
// out[k][px] = Σ_{ci,dy,dx} w[py,co,ci,dy,dx][px] · xpad[k][ci][py+dy−r][px+dx].
// Inlined with constant NR/LANES for the common full block (no loop overhead, no aliasing
// checks), with smaller ones at the edges.
static inline __attribute__((always_inline)) void forward_block(
    const lc_geom *g, size_t NR, size_t LANES, size_t py, size_t dy0, size_t dy1,
    const float *wunit, const float *xunit, size_t xstride, float *out, size_t ostride) {
  const size_t H = g->height, W = g->width, Ci = g->in_channels, K = g->window;
  const size_t Wp = W + 2 * (K / 2);
  float acc[ROW_BLOCK][MAX_LANES] = {{0}};
  for (size_t ci = 0; ci < Ci; ci++) {
    for (size_t dy = dy0; dy < dy1; dy++) {
      const float *wr = wunit + ((ci * K + dy) * K) * W;
      const float *xr = xunit + (ci * H + py + dy - K / 2) * Wp;
      for (size_t dx = 0; dx < K; dx++, wr += W, xr++) {
        for (size_t k = 0; k < NR; k++)
          for (size_t l = 0; l < LANES; l++) acc[k][l] += wr[l] * xr[k * xstride + l];
      }
    }
  }
  for (size_t k = 0; k < NR; k++)
    for (size_t l = 0; l < LANES; l++) out[k * ostride + l] = acc[k][l];
}

// acc[k][co][py][px] for the nr rows of xpad (their LC outputs, before alpha and beta).
LC_CLONES static void forward_chunk(const lc_geom *g, size_t nr, const float *xpad,
                                    const float *w, float *acc) {
  const size_t H = g->height, W = g->width, Ci = g->in_channels, Co = g->out_channels;
  const size_t K = g->window, r = K / 2, Wp = W + 2 * r, xs = Ci * H * Wp, os = Co * H * W;
  for (size_t py = 0; py < H; py++) {
    const size_t dy0 = py < r ? r - py : 0, dy1 = H + r - py < K ? H + r - py : K;
    for (size_t co = 0; co < Co; co++) {
      const float *wunit = w + (((py * Co + co) * Ci) * K * K) * W;
      for (size_t px = 0; px < W; px += MAX_LANES) {
        const size_t lanes = W - px < MAX_LANES ? W - px : MAX_LANES;
        for (size_t k = 0; k < nr; k += ROW_BLOCK) {
          const size_t nb = nr - k < ROW_BLOCK ? nr - k : ROW_BLOCK;
          const float *xunit = xpad + k * xs + px;
          float *out = acc + k * os + (co * H + py) * W + px;
          if (nb == ROW_BLOCK && lanes == MAX_LANES)
            forward_block(g, ROW_BLOCK, MAX_LANES, py, dy0, dy1, wunit + px, xunit, xs, out, os);
          else
            forward_block(g, nb, lanes, py, dy0, dy1, wunit + px, xunit, xs, out, os);
        }
      }
    }
  }
}

// What every thread of a kernel reads (a, b: the two operands; out: its own rows of it).
typedef struct {
  const lc_geom *g;
  float alpha, beta;
  const float *a, *b;
  float *out;
  int failed;  // set (to 1) by a thread that ran out of memory
} lc_job;

typedef void (*chunk_fn)(const lc_geom *g, size_t nr, const float *pad, const float *w, float *acc);

// Batch rows [lo, hi) of out = alpha·f(a, b) + beta·out, in chunks of ROW_CHUNK rows: each
// chunk of `a` (rows of in_ch channels) is padded, f sums it into acc (rows of out_ch
// channels), and acc is scaled into out. Forward and input gradient differ only in f and in
// which side has which channels.
static void chunked_rows(lc_job *j, size_t lo, size_t hi, size_t in_ch, size_t out_ch, chunk_fn f) {
  const lc_geom *g = j->g;
  const size_t H = g->height, W = g->width, r = g->window / 2, Wp = W + 2 * r;
  const size_t fin = in_ch * H * W, fout = out_ch * H * W;
  float *pad = malloc(ROW_CHUNK * in_ch * H * Wp * sizeof(float));
  float *acc = malloc(ROW_CHUNK * fout * sizeof(float));
  if (!pad || !acc) {
    free(pad);
    free(acc);
    __atomic_store_n(&j->failed, 1, __ATOMIC_RELAXED);
    return;
  }
  for (size_t i0 = lo; i0 < hi; i0 += ROW_CHUNK) {
    const size_t nr = hi - i0 < ROW_CHUNK ? hi - i0 : ROW_CHUNK;
    pad_columns(j->a + i0 * fin, nr, in_ch, H, W, r, pad);
    f(g, nr, pad, j->b, acc);
    store_scaled(j->out + i0 * fout, acc, nr * fout, j->alpha, j->beta);
  }
  free(pad);
  free(acc);
}

// Batch rows [lo, hi) of y = alpha·LC(x, w) + beta·y.
static void forward_rows(void *ctx, size_t lo, size_t hi) {
  lc_job *j = ctx;
  chunked_rows(j, lo, hi, j->g->in_channels, j->g->out_channels, forward_chunk);
}

int lc_forward(const lc_geom *g, size_t rows, float alpha, const float *x, const float *w,
               float beta, float *y) {
  lc_job j = {g, alpha, beta, x, w, y, 0};
  ff_parallel_for(rows, ROW_BLOCK * 2, forward_rows, &j);
  return j.failed ? -1 : 0;
}

// ---- weight gradient ----------------------------------------------------------------------

// LANES units of one tap: out[px] = alpha·Σ_i dz[i][px]·xr[i][px] + beta·out[px]. (Measured:
// one partial sum is faster here than interleaved ones or several taps per pass.)
static inline __attribute__((always_inline)) void weight_grad_block(
    size_t LANES, size_t rows, const float *xr, size_t xstride, const float *dz, size_t dstride,
    float alpha, float beta, float *out) {
  float acc[MAX_LANES] = {0};
  for (size_t i = 0; i < rows; i++, xr += xstride, dz += dstride)
    for (size_t l = 0; l < LANES; l++) acc[l] += dz[l] * xr[l];
  store_scaled(out, acc, LANES, alpha, beta);
}

// dw[py,co,ci,dy,dx][px] = alpha·Σ_i dy[i][co][py][px] · xpad[i][ci][py+dy−r][px+dx] + beta·dw.
// Map rows [py0, py1) only: their weights are disjoint from every other map row's.
LC_CLONES static void weight_grad_rows(const lc_geom *g, size_t rows, float alpha,
                                       const float *xpad, const float *dy, float beta, float *dw,
                                       size_t py0, size_t py1) {
  const size_t H = g->height, W = g->width, Ci = g->in_channels, Co = g->out_channels;
  const size_t K = g->window, r = K / 2, Wp = W + 2 * r, xs = Ci * H * Wp, ds = Co * H * W;
  const float zeros[MAX_LANES] = {0};
  for (size_t py = py0; py < py1; py++) {
    const size_t dy0 = py < r ? r - py : 0, dy1 = H + r - py < K ? H + r - py : K;
    for (size_t co = 0; co < Co; co++) {
      for (size_t ci = 0; ci < Ci; ci++) {
        for (size_t ky = 0; ky < K; ky++) {
          float *dwrow = dw + ((((py * Co + co) * Ci + ci) * K + ky) * K) * W;
          for (size_t px = 0; px < W; px += MAX_LANES) {
            const size_t lanes = W - px < MAX_LANES ? W - px : MAX_LANES;
            if (ky < dy0 || ky >= dy1) {
              // Taps above or below the map: no input ever reaches them.
              for (size_t kx = 0; kx < K; kx++) store_scaled(dwrow + kx * W + px, zeros, lanes, alpha, beta);
              continue;
            }
            const float *xr = xpad + (ci * H + py + ky - r) * Wp + px;
            const float *dz = dy + (co * H + py) * W + px;
            for (size_t kx = 0; kx < K; kx++) {
              float *out = dwrow + kx * W + px;
              if (lanes == MAX_LANES)
                weight_grad_block(MAX_LANES, rows, xr + kx, xs, dz, ds, alpha, beta, out);
              else
                weight_grad_block(lanes, rows, xr + kx, xs, dz, ds, alpha, beta, out);
            }
          }
        }
      }
    }
  }
}

typedef struct {
  lc_job job;  // a: the padded source, b: dy
  size_t rows;
} lc_weight_job;

static void weight_grad_range(void *ctx, size_t lo, size_t hi) {
  lc_weight_job *j = ctx;
  weight_grad_rows(j->job.g, j->rows, j->job.alpha, j->job.a, j->job.b, j->job.beta, j->job.out, lo, hi);
}

int lc_weight_grad(const lc_geom *g, size_t rows, float alpha, const float *x, const float *dy,
                   float beta, float *dw) {
  const size_t H = g->height, W = g->width, Ci = g->in_channels;
  const size_t r = g->window / 2, Wp = W + 2 * r;
  float *xpad = malloc((rows ? rows : 1) * Ci * H * Wp * sizeof(float));
  if (!xpad) return -1;
  pad_columns(x, rows, Ci, H, W, r, xpad);
  lc_weight_job j = {{g, alpha, beta, xpad, dy, dw, 0}, rows};
  ff_parallel_for(H, 1, weight_grad_range, &j);
  free(xpad);
  return 0;
}

// ---- input gradient -----------------------------------------------------------------------

// NR rows × LANES source units of one map row (qy, qx …), summed in registers over every unit
// that sees them: out[k][qx] = Σ_{dy,co,dx} w[py,co,ci,dy,dx][px] · dz[k][co][py][px] with
// py = qy − dy + r, px = qx − dx + r (w and dz padded with r zero columns, so px may leave
// the map).
static inline __attribute__((always_inline)) void input_grad_block(
    const lc_geom *g, size_t NR, size_t LANES, size_t ci, size_t qy, const float *wpad,
    const float *dzunit, size_t dstride, float *out, size_t ostride) {
  const size_t H = g->height, W = g->width, Ci = g->in_channels, Co = g->out_channels;
  const size_t K = g->window, r = K / 2, Wp = W + 2 * r;
  float acc[ROW_BLOCK][MAX_LANES] = {{0}};
  for (size_t ky = 0; ky < K; ky++) {
    if (qy + r < ky || qy + r - ky >= H) continue;  // the unit row py is off the map
    const size_t py = qy + r - ky;
    for (size_t co = 0; co < Co; co++) {
      const float *wr = wpad + ((((py * Co + co) * Ci + ci) * K + ky) * K) * Wp + 2 * r;
      const float *dz = dzunit + (co * H + py) * Wp + 2 * r;
      for (size_t kx = 0; kx < K; kx++, wr += Wp - 1, dz--) {
        for (size_t k = 0; k < NR; k++)
          for (size_t l = 0; l < LANES; l++) acc[k][l] += wr[l] * dz[k * dstride + l];
      }
    }
  }
  for (size_t k = 0; k < NR; k++)
    for (size_t l = 0; l < LANES; l++) out[k * ostride + l] = acc[k][l];
}

// acc[k][ci][qy][qx] for the nr rows of dzpad (the gradient at the source, before alpha, beta).
LC_CLONES static void input_grad_chunk(const lc_geom *g, size_t nr, const float *dzpad,
                                       const float *wpad, float *acc) {
  const size_t H = g->height, W = g->width, Ci = g->in_channels, Co = g->out_channels;
  const size_t r = g->window / 2, Wp = W + 2 * r, ds = Co * H * Wp, os = Ci * H * W;
  for (size_t ci = 0; ci < Ci; ci++) {
    for (size_t qy = 0; qy < H; qy++) {
      for (size_t qx = 0; qx < W; qx += MAX_LANES) {
        const size_t lanes = W - qx < MAX_LANES ? W - qx : MAX_LANES;
        for (size_t k = 0; k < nr; k += ROW_BLOCK) {
          const size_t nb = nr - k < ROW_BLOCK ? nr - k : ROW_BLOCK;
          float *out = acc + k * os + (ci * H + qy) * W + qx;
          const float *dzunit = dzpad + k * ds + qx;
          if (nb == ROW_BLOCK && lanes == MAX_LANES)
            input_grad_block(g, ROW_BLOCK, MAX_LANES, ci, qy, wpad + qx, dzunit, ds, out, os);
          else
            input_grad_block(g, nb, lanes, ci, qy, wpad + qx, dzunit, ds, out, os);
        }
      }
    }
  }
}

// Batch rows [lo, hi) of dx = alpha·LCᵀ(dy, w) + beta·dx (b: the padded weights).
static void input_grad_rows(void *ctx, size_t lo, size_t hi) {
  lc_job *j = ctx;
  chunked_rows(j, lo, hi, j->g->out_channels, j->g->in_channels, input_grad_chunk);
}

int lc_input_grad(const lc_geom *g, size_t rows, float alpha, const float *dy, const float *w,
                  float beta, float *dx) {
  const size_t H = g->height, W = g->width, Ci = g->in_channels, Co = g->out_channels;
  const size_t K = g->window, r = K / 2, Wp = W + 2 * r;
  float *wpad = malloc(H * Co * Ci * K * K * Wp * sizeof(float));
  if (!wpad) return -1;
  pad_columns(w, 1, H * Co * Ci * K * K, 1, W, r, wpad);
  lc_job j = {g, alpha, beta, dy, wpad, dx, 0};
  ff_parallel_for(rows, ROW_BLOCK * 2, input_grad_rows, &j);
  free(wpad);
  return j.failed ? -1 : 0;
}
