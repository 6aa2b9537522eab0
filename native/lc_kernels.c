// Locally-connected layer kernels (see lc_kernels.h for the layout). Forward, weight gradient
// (FF's layer rule and backprop) and input gradient (backprop) run register tiles along map
// rows (native/lc_tiles.h) in an instruction set chosen at run time (native/lc_isa.c); this
// file pads, splits the work over threads and scales the results. The source map is copied once into a buffer with K/2 zero columns on
// each side of every map row, so "zero outside the map" costs no branches in the inner
// loops; rows outside the map are skipped.
//
// Threads (parallel.h): each kernel splits its work into contiguous ranges of outputs —
// batch rows for forward and input gradient, map rows (py) for the weight gradient. Every
// output is summed by one thread in the same order as on one thread, so the result does not
// depend on the thread count (bit for bit). The kernels run while the BLAS threads are idle.
#include "lc_kernels.h"

#include <stdlib.h>
#include <string.h>

#include "lc_isa.h"
#include "parallel.h"

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
// on each side of every map row, each case followed by LC_SLACK zeros.
static void pad_cases(const float *src, size_t rows, size_t channels, size_t h, size_t w, size_t r,
                      float *dst) {
  const size_t wp = w + 2 * r, cs = channels * h * wp + LC_SLACK;
  memset(dst, 0, rows * cs * sizeof(float));
  for (size_t i = 0; i < rows; i++)
    for (size_t m = 0; m < channels * h; m++)
      memcpy(dst + i * cs + m * wp + r, src + (i * channels * h + m) * w, w * sizeof(float));
}

typedef void (*lc_chunk_fn)(const lc_geom *g, size_t nr, const float *pad, const float *w, float *acc);

// What every thread of the forward or the input gradient reads: out = alpha·f(a, b) + beta·out,
// a: in_ch channel maps per case, b: the weights as f reads them, out: out_ch maps per case.
typedef struct {
  const lc_geom *g;
  const lc_isa *isa;
  lc_chunk_fn f;
  size_t in_ch, out_ch;
  float alpha, beta;
  const float *a, *b;
  float *out;
  int failed;  // set (to 1) by a thread that ran out of memory
} lc_rows_job;

// Batch rows [lo, hi) of out, in chunks of the ISA's row_chunk cases: pad a, tile, scale.
static void chunked_rows(void *ctx, size_t lo, size_t hi) {
  lc_rows_job *j = ctx;
  const lc_geom *g = j->g;
  const size_t H = g->height, W = g->width, Cin = j->in_ch, Cout = j->out_ch;
  const size_t r = g->window / 2, Wp = W + 2 * r, vl = j->isa->vl, Wv = (W + vl - 1) / vl * vl;
  const size_t chunk = j->isa->row_chunk, ps = Cin * H * Wp + LC_SLACK, os = Cout * H * Wv;
  float *pad = calloc(chunk * ps, sizeof(float));
  float *acc = malloc(chunk * os * sizeof(float));
  if (!pad || !acc) {
    free(pad);
    free(acc);
    __atomic_store_n(&j->failed, 1, __ATOMIC_RELAXED);
    return;
  }
  for (size_t i0 = lo; i0 < hi; i0 += chunk) {
    const size_t nr = hi - i0 < chunk ? hi - i0 : chunk;
    pad_cases(j->a + i0 * Cin * H * W, nr, Cin, H, W, r, pad);
    // Whole tiles only: the few cases past nr (up to the tile's rows) are computed and ignored.
    const size_t rb = j->isa->fwd_rows;
    j->f(g, (nr + rb - 1) / rb * rb, pad, j->b, acc);
    for (size_t i = 0; i < nr; i++)
      for (size_t m = 0; m < Cout * H; m++)
        store_scaled(j->out + ((i0 + i) * Cout * H + m) * W, acc + i * os + m * Wv, W, j->alpha, j->beta);
  }
  free(pad);
  free(acc);
}

// ---- forward ------------------------------------------------------------------------------

// Weights readable VL−1 floats past their end (the last vector of a map row whose width is
// not a multiple of VL): `w` itself, or a padded copy in *copy (to be freed).
static const float *readable_weights(const lc_geom *g, const lc_isa *isa, const float *w, float **copy) {
  *copy = NULL;
  if (g->width % isa->vl == 0) return w;
  const size_t n = g->height * g->out_channels * g->in_channels * g->window * g->window * g->width;
  *copy = calloc(n + isa->vl, sizeof(float));
  if (*copy) memcpy(*copy, w, n * sizeof(float));
  return *copy;
}

int lc_forward(const lc_geom *g, size_t rows, float alpha, const float *x, const float *w,
               float beta, float *y) {
  const lc_isa *isa = lc_select_isa();
  float *copy;
  const float *wr = readable_weights(g, isa, w, &copy);
  if (!wr) return -1;
  lc_rows_job j = {g, isa, isa->forward_chunk, g->in_channels, g->out_channels, alpha, beta, x, wr, y, 0};
  ff_parallel_for(rows, isa->row_chunk / 2, chunked_rows, &j);
  free(copy);
  return j.failed ? -1 : 0;
}

// ---- weight gradient ----------------------------------------------------------------------

// Cases per pass of the weight gradient: the padded source rows a map row reads (K rows ×
// Ci planes × this many cases) stay in L2 while every tile of the map row sweeps them.
#define WG_CHUNK 64

typedef struct {
  const lc_geom *g;
  const lc_isa *isa;
  size_t rows;
  float alpha, beta;
  const float *xpad, *dy;
  float *dw;
  int failed;
} lc_weight_job;

// Map rows [lo, hi): their weights are disjoint from every other map row's. Each weight is
// summed over the cases in order 0, 1, …, rows−1 (WG_CHUNK at a time through `part`).
static void weight_grad_range(void *ctx, size_t lo, size_t hi) {
  lc_weight_job *j = ctx;
  const lc_geom *g = j->g;
  const size_t H = g->height, W = g->width, Ci = g->in_channels, Co = g->out_channels;
  const size_t K = g->window, r = K / 2, vl = j->isa->vl, Wv = (W + vl - 1) / vl * vl;
  const size_t taps = Co * Ci * K * K, dzs = Co * Wv;
  float *part = malloc(taps * Wv * sizeof(float));
  float *dz = calloc(WG_CHUNK * dzs + vl, sizeof(float));
  if (!part || !dz) {
    free(part);
    free(dz);
    __atomic_store_n(&j->failed, 1, __ATOMIC_RELAXED);
    return;
  }
  for (size_t py = lo; py < hi; py++) {
    memset(part, 0, taps * Wv * sizeof(float));
    for (size_t i0 = 0; i0 < j->rows; i0 += WG_CHUNK) {
      const size_t nr = j->rows - i0 < WG_CHUNK ? j->rows - i0 : WG_CHUNK;
      // The cases' gradient rows at py, each channel Wv long (zero past W).
      for (size_t i = 0; i < nr; i++)
        for (size_t co = 0; co < Co; co++)
          memcpy(dz + i * dzs + co * Wv, j->dy + (((i0 + i) * Co + co) * H + py) * W, W * sizeof(float));
      j->isa->weight_grad_row(g, py, nr, dz, dzs, j->xpad + i0 * (Ci * H * (W + 2 * r) + LC_SLACK), part);
    }
    // Taps above or below the map were never summed: part is 0 there, and so is their gradient.
    for (size_t t = 0; t < taps; t++)
      store_scaled(j->dw + (py * taps + t) * W, part + t * Wv, W, j->alpha, j->beta);
  }
  free(part);
  free(dz);
}

// The calling thread's padded-source buffer, kept between calls: a fresh multi-megabyte
// allocation per call costs page faults comparable to the product at small batches.
static float *source_buffer(size_t floats) {
  static __thread float *buf = NULL;
  static __thread size_t cap = 0;
  if (floats > cap) {
    free(buf);
    buf = malloc(floats * sizeof(float));
    cap = buf ? floats : 0;
  }
  return buf;
}

typedef struct {
  const lc_geom *g;
  const float *x;
  float *xpad;
} lc_pad_job;

static void pad_range(void *ctx, size_t lo, size_t hi) {
  lc_pad_job *j = ctx;
  const lc_geom *g = j->g;
  const size_t H = g->height, W = g->width, Ci = g->in_channels, r = g->window / 2;
  pad_cases(j->x + lo * Ci * H * W, hi - lo, Ci, H, W, r, j->xpad + lo * (Ci * H * (W + 2 * r) + LC_SLACK));
}

int lc_weight_grad(const lc_geom *g, size_t rows, float alpha, const float *x, const float *dy,
                   float beta, float *dw) {
  const size_t H = g->height, W = g->width, Ci = g->in_channels;
  const size_t r = g->window / 2, Wp = W + 2 * r;
  const lc_isa *isa = lc_select_isa();
  float *xpad = source_buffer((rows ? rows : 1) * (Ci * H * Wp + LC_SLACK));
  if (!xpad) return -1;
  lc_pad_job pj = {g, x, xpad};
  ff_parallel_for(rows, 16, pad_range, &pj);
  lc_weight_job j = {g, isa, rows, alpha, beta, xpad, dy, dw, 0};
  ff_parallel_for(H, 1, weight_grad_range, &j);
  return j.failed ? -1 : 0;
}

// ---- input gradient -----------------------------------------------------------------------

int lc_input_grad(const lc_geom *g, size_t rows, float alpha, const float *dy, const float *w,
                  float beta, float *dx) {
  const size_t H = g->height, W = g->width, Ci = g->in_channels, Co = g->out_channels;
  const size_t K = g->window, r = K / 2, Wp = W + 2 * r;
  const lc_isa *isa = lc_select_isa();
  // Weight rows padded with r zero columns on each side, readable LC_SLACK floats past the end.
  const size_t nrows = H * Co * Ci * K * K;
  float *wpad = malloc((nrows * Wp + LC_SLACK) * sizeof(float));
  if (!wpad) return -1;
  pad_cases(w, 1, nrows, 1, W, r, wpad);
  lc_rows_job j = {g, isa, isa->input_grad_chunk, Co, Ci, alpha, beta, dy, wpad, dx, 0};
  ff_parallel_for(rows, isa->row_chunk / 2, chunked_rows, &j);
  free(wpad);
  return j.failed ? -1 : 0;
}
