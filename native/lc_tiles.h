// The inner loops of the locally-connected forward and weight-gradient kernels, written once
// over a vector abstraction and instantiated per instruction set by native/lc_isa.c (which
// defines the macros below, then includes this file). No include guard: included once per ISA.
//
// Both kernels run along a map row: VL neighbouring units (px … px+VL−1) are one vector,
// since their weights are contiguous in the weight layout (src/engine/local-geometry.ts).
// Every output is summed in the same order on every ISA and thread count, with fused
// multiply-adds, so AVX-512, AVX2 and the scalar fallback give the same bits.
//
// Register tiles (chosen by measurement, docs/results.md "LC kernels"):
//   forward         FWD_CB output channels × FWD_RB cases: per tap FWD_CB weight loads and
//                   FWD_RB input loads feed FWD_CB·FWD_RB multiply-adds;
//   weight gradient WG_CB output channels × WG_KB horizontal taps: per case WG_CB gradient
//                   loads and WG_KB (shifted) input loads feed WG_CB·WG_KB multiply-adds,
//                   summed over the cases in registers (no serial chain: WG_CB·WG_KB
//                   independent accumulators).
//
// Expected macros: NAME(x) (suffix), V (vector type), VL, VZERO(), VLOAD(p), VSTORE(p, v),
// VFMA(a, b, c) = a·b + c rounded once, FWD_CB, FWD_RB, WG_CB, WG_KB; all undefined again at
// the end, ready for the next ISA.

_Static_assert(FWD_CB >= 1 && FWD_CB <= 3 && WG_CB >= 1 && WG_CB <= 3 && WG_KB >= 1 && WG_KB <= 8,
              "the tile dispatch switches cover up to 3 channels and 8 taps");

// Cases per forward tile, for the ISA table in lc_isa.c.
enum { NAME(FWD_ROWS) = FWD_RB };

// acc[k][co0 + c][py][px …] for FWD_RB cases from `x` (padded rows, stride xs), the cb
// channels from co0 whose weights start at `w` (channel stride wco), taps dy0 ≤ dy < dy1.
static inline __attribute__((always_inline)) void NAME(fwd_tile)(
    const size_t cb, const lc_geom *g, size_t py, size_t dy0, size_t dy1, const float *w,
    size_t wco, const float *x, size_t xs, float *out, size_t ocs, size_t ors) {
  const size_t H = g->height, W = g->width, Ci = g->in_channels, K = g->window;
  const size_t r = K / 2, Wp = W + 2 * r;
  V acc[FWD_CB][FWD_RB];
  for (size_t c = 0; c < cb; c++)
    for (size_t k = 0; k < FWD_RB; k++) acc[c][k] = VZERO();
  for (size_t ci = 0; ci < Ci; ci++) {
    for (size_t dy = dy0; dy < dy1; dy++) {
      const float *wr = w + ((ci * K + dy) * K) * W;
      const float *xr = x + (ci * H + py + dy - r) * Wp;
      for (size_t dx = 0; dx < K; dx++, wr += W, xr++) {
        V wv[FWD_CB];
        for (size_t c = 0; c < cb; c++) wv[c] = VLOAD(wr + c * wco);
        for (size_t k = 0; k < FWD_RB; k++) {
          const V xv = VLOAD(xr + k * xs);
          for (size_t c = 0; c < cb; c++) acc[c][k] = VFMA(wv[c], xv, acc[c][k]);
        }
      }
    }
  }
  for (size_t c = 0; c < cb; c++)
    for (size_t k = 0; k < FWD_RB; k++) VSTORE(out + c * ocs + k * ors, acc[c][k]);
}

// The LC outputs of `nr` cases (nr a multiple of FWD_RB) of the padded chunk `xpad` into
// `acc` (case × Co × H × Wv, Wv = W rounded up to VL), before alpha and beta. `w` has rows
// of W floats, readable up to VL−1 floats past its end (lc_kernels.c pads it when needed).
static void NAME(forward_chunk)(const lc_geom *g, size_t nr, const float *xpad, const float *w,
                                float *acc) {
  const size_t H = g->height, W = g->width, Ci = g->in_channels, Co = g->out_channels;
  const size_t K = g->window, r = K / 2, Wp = W + 2 * r, Wv = (W + VL - 1) / VL * VL;
  const size_t xs = Ci * H * Wp + LC_SLACK, wco = Ci * K * K * W, ocs = H * Wv, ors = Co * H * Wv;
  for (size_t py = 0; py < H; py++) {
    const size_t dy0 = py < r ? r - py : 0, dy1 = H + r - py < K ? H + r - py : K;
    for (size_t co = 0; co < Co; co += FWD_CB) {
      const size_t cb = Co - co < FWD_CB ? Co - co : FWD_CB;
      const float *wunit = w + (((py * Co + co) * Ci) * K * K) * W;
      for (size_t px = 0; px < W; px += VL) {
        for (size_t k = 0; k < nr; k += FWD_RB) {
          const float *xunit = xpad + k * xs + px;
          float *out = acc + k * ors + (co * H + py) * Wv + px;
          // Constant channel counts: the tile stays in registers.
          switch (cb) {
#define LC_FWD_CASE(n) \
  case n: NAME(fwd_tile)(n < FWD_CB ? n : FWD_CB, g, py, dy0, dy1, wunit + px, wco, xunit, xs, out, ocs, ors); break;
            LC_FWD_CASE(1)
            LC_FWD_CASE(2)
            LC_FWD_CASE(3)
            default: NAME(fwd_tile)(FWD_CB, g, py, dy0, dy1, wunit + px, wco, xunit, xs, out, ocs, ors);
#undef LC_FWD_CASE
          }
        }
      }
    }
  }
}

// Partial weight gradients of one map row py over `nr` cases, added to part:
// part[c][t] += Σ_i dz[i][c][px …]·x[i][… + t] for cb channels and kb neighbouring taps.
// dz: case stride dzs, channel stride dzc; x: the source row at the first tap (case stride
// xs); part: channel stride pco, tap stride pk.
static inline __attribute__((always_inline)) void NAME(wg_tile)(
    const size_t cb, const size_t kb, size_t nr, const float *dz, size_t dzs, size_t dzc,
    const float *x, size_t xs, float *part, size_t pco, size_t pk) {
  V acc[WG_CB][WG_KB];
  for (size_t c = 0; c < cb; c++)
    for (size_t t = 0; t < kb; t++) acc[c][t] = VLOAD(part + c * pco + t * pk);
  for (size_t i = 0; i < nr; i++, dz += dzs, x += xs) {
    V d[WG_CB];
    for (size_t c = 0; c < cb; c++) d[c] = VLOAD(dz + c * dzc);
    for (size_t t = 0; t < kb; t++) {
      const V xv = VLOAD(x + t);
      for (size_t c = 0; c < cb; c++) acc[c][t] = VFMA(d[c], xv, acc[c][t]);
    }
  }
  for (size_t c = 0; c < cb; c++)
    for (size_t t = 0; t < kb; t++) VSTORE(part + c * pco + t * pk, acc[c][t]);
}

// wg_tile with constant cb ≤ WG_CB and kb ≤ WG_KB, so its accumulators stay in registers.
static void NAME(wg_dispatch)(size_t cb, size_t kb, size_t nr, const float *dz, size_t dzs,
                              size_t dzc, const float *x, size_t xs, float *part, size_t pco,
                              size_t pk) {
#define LC_MIN(a, b) ((a) < (b) ? (a) : (b))
#define LC_WG_KB(c, n) \
  case n: NAME(wg_tile)(LC_MIN(c, WG_CB), LC_MIN(n, WG_KB), nr, dz, dzs, dzc, x, xs, part, pco, pk); break;
#define LC_WG_CB(c)                                                                     \
  case c:                                                                               \
    switch (kb) { LC_WG_KB(c, 1) LC_WG_KB(c, 2) LC_WG_KB(c, 3) LC_WG_KB(c, 4) LC_WG_KB(c, 5) \
                  LC_WG_KB(c, 6) LC_WG_KB(c, 7) LC_WG_KB(c, 8) }                         \
    break;
  switch (cb) { LC_WG_CB(1) LC_WG_CB(2) LC_WG_CB(3) }
#undef LC_WG_CB
#undef LC_WG_KB
#undef LC_MIN
}

// Map row py's weight gradients from `nr` cases, added to part (co × ci × ky × kx rows of
// Wv: part[(((co·Ci + ci)·K + ky)·K + kx)·Wv + px]); taps ky outside the map are skipped.
// dz: the cases' gradients at row py (case stride dzs, channel stride Wv); xpad: the padded
// source maps of the same cases.
static void NAME(weight_grad_row)(const lc_geom *g, size_t py, size_t nr, const float *dz,
                                  size_t dzs, const float *xpad, float *part) {
  const size_t H = g->height, W = g->width, Ci = g->in_channels, Co = g->out_channels;
  const size_t K = g->window, r = K / 2, Wp = W + 2 * r, Wv = (W + VL - 1) / VL * VL;
  const size_t xs = Ci * H * Wp + LC_SLACK, pco = Ci * K * K * Wv;
  const size_t dy0 = py < r ? r - py : 0, dy1 = H + r - py < K ? H + r - py : K;
  for (size_t co = 0; co < Co; co += WG_CB) {
    const size_t cb = Co - co < WG_CB ? Co - co : WG_CB;
    for (size_t ci = 0; ci < Ci; ci++) {
      for (size_t ky = dy0; ky < dy1; ky++) {
        const float *xrow = xpad + (ci * H + py + ky - r) * Wp;
        for (size_t px = 0; px < W; px += VL) {
          for (size_t kx = 0; kx < K; kx += WG_KB) {
            const size_t kb = K - kx < WG_KB ? K - kx : WG_KB;
            float *p = part + (((co * Ci + ci) * K + ky) * K + kx) * Wv + px;
            NAME(wg_dispatch)(cb, kb, nr, dz + co * Wv + px, dzs, Wv, xrow + px + kx, xs, p, pco, Wv);
          }
        }
      }
    }
  }
}

// The input gradient (backprop): acc[k][ci0 + c][qy][qx …] = Σ_{ky, co, kx} w[py, co, ci, ky,
// kx][px]·dz[k][co][py][px] with py = qy + r − ky, px = qx + r − kx — the forward's tile
// turned around: FWD_CB input channels × FWD_RB cases, weights and gradients both padded
// with r zero columns per row (so px may leave the map). `w` points at channel ci0's weights
// + qx + 2r (channel stride wci), `dz` at the first case's padded gradient + qx + 2r.
static inline __attribute__((always_inline)) void NAME(ig_tile)(
    const size_t cb, const lc_geom *g, size_t qy, const float *w, size_t wci, const float *dz,
    size_t ds, float *out, size_t ocs, size_t ors) {
  const size_t H = g->height, W = g->width, Ci = g->in_channels, Co = g->out_channels;
  const size_t K = g->window, r = K / 2, Wp = W + 2 * r;
  V acc[FWD_CB][FWD_RB];
  for (size_t c = 0; c < cb; c++)
    for (size_t k = 0; k < FWD_RB; k++) acc[c][k] = VZERO();
  for (size_t ky = 0; ky < K; ky++) {
    if (qy + r < ky || qy + r - ky >= H) continue;  // the unit row py is off the map
    const size_t py = qy + r - ky;
    for (size_t co = 0; co < Co; co++) {
      const float *wr = w + ((((py * Co + co) * Ci) * K + ky) * K) * Wp;
      const float *dr = dz + (co * H + py) * Wp;
      for (size_t kx = 0; kx < K; kx++, wr += Wp - 1, dr--) {
        V wv[FWD_CB];
        for (size_t c = 0; c < cb; c++) wv[c] = VLOAD(wr + c * wci);
        for (size_t k = 0; k < FWD_RB; k++) {
          const V dv = VLOAD(dr + k * ds);
          for (size_t c = 0; c < cb; c++) acc[c][k] = VFMA(wv[c], dv, acc[c][k]);
        }
      }
    }
  }
  for (size_t c = 0; c < cb; c++)
    for (size_t k = 0; k < FWD_RB; k++) VSTORE(out + c * ocs + k * ors, acc[c][k]);
}

// The input gradients of `nr` cases (a multiple of FWD_RB) of the padded chunk `dzpad` (case
// stride Co·H·Wp + LC_SLACK) into acc (case × Ci × H × Wv), before alpha and beta. `wpad`:
// the weights with r zero columns on each side of every row, readable VL floats past its end.
static void NAME(input_grad_chunk)(const lc_geom *g, size_t nr, const float *dzpad,
                                   const float *wpad, float *acc) {
  const size_t H = g->height, W = g->width, Ci = g->in_channels, Co = g->out_channels;
  const size_t K = g->window, r = K / 2, Wp = W + 2 * r, Wv = (W + VL - 1) / VL * VL;
  const size_t ds = Co * H * Wp + LC_SLACK, wci = K * K * Wp, ocs = H * Wv, ors = Ci * H * Wv;
  for (size_t ci = 0; ci < Ci; ci += FWD_CB) {
    const size_t cb = Ci - ci < FWD_CB ? Ci - ci : FWD_CB;
    for (size_t qy = 0; qy < H; qy++) {
      for (size_t qx = 0; qx < W; qx += VL) {
        for (size_t k = 0; k < nr; k += FWD_RB) {
          const float *w = wpad + ci * wci + qx + 2 * r;
          const float *dz = dzpad + k * ds + qx + 2 * r;
          float *out = acc + k * ors + (ci * H + qy) * Wv + qx;
          switch (cb) {
#define LC_IG_CASE(n) \
  case n: NAME(ig_tile)(n < FWD_CB ? n : FWD_CB, g, qy, w, wci, dz, ds, out, ocs, ors); break;
            LC_IG_CASE(1)
            LC_IG_CASE(2)
            default: NAME(ig_tile)(FWD_CB, g, qy, w, wci, dz, ds, out, ocs, ors);
#undef LC_IG_CASE
          }
        }
      }
    }
  }
}

#undef NAME
#undef V
#undef VL
#undef VZERO
#undef VLOAD
#undef VSTORE
#undef VFMA
#undef FWD_CB
#undef FWD_RB
#undef WG_CB
#undef WG_KB
