// The WebAssembly engine's locally-connected kernels (layout: src/engine/local-geometry.ts):
// the loops of the TypeScript reference (js-local.ts) in float32, the innermost along a map
// row so clang turns it into SIMD128. `acc` is caller scratch: W floats for the forward pass
// and the weight gradient, C_in·H·W for the input gradient. Single-threaded; the native
// addon's register-tiled, multi-threaded kernels (native/lc_tiles.h) are the fast ones.

static inline int imax(int a, int b) { return a > b ? a : b; }
static inline int imin(int a, int b) { return a < b ? a : b; }

static void store(float *out, const float *acc, int n, float alpha, float beta) {
  if (beta == 0.0f) {
    for (int j = 0; j < n; j++) out[j] = alpha * acc[j];
  } else {
    for (int j = 0; j < n; j++) out[j] = alpha * acc[j] + beta * out[j];
  }
}

// y = alpha·LC(x, w) + beta·y.
__attribute__((export_name("ff_local_forward")))
void ff_local_forward(int rows, int H, int W, int Ci, int Co, int K, float alpha, const float *x, const float *w,
                      float beta, float *y, float *acc) {
  const int r = (K - 1) / 2;
  const long fin = (long)Ci * H * W, fout = (long)Co * H * W;
  for (int i = 0; i < rows; i++) {
    for (int co = 0; co < Co; co++) {
      for (int py = 0; py < H; py++) {
        for (int px = 0; px < W; px++) acc[px] = 0.0f;
        for (int ci = 0; ci < Ci; ci++) {
          for (int dy = 0; dy < K; dy++) {
            const int sy = py + dy - r;
            if (sy < 0 || sy >= H) continue;
            const float *xr = x + i * fin + ((long)ci * H + sy) * W - r;
            for (int dx = 0; dx < K; dx++) {
              const float *wr = w + ((((long)(py * Co + co) * Ci + ci) * K + dy) * K + dx) * W;
              const int lo = imax(0, r - dx), hi = imin(W, W + r - dx);
              for (int px = lo; px < hi; px++) acc[px] += wr[px] * xr[px + dx];
            }
          }
        }
        store(y + i * fout + ((long)co * H + py) * W, acc, W, alpha, beta);
      }
    }
  }
}

// dw = alpha·Σ_rows x_window ⊗ dy + beta·dw (taps outside the map get exactly 0).
__attribute__((export_name("ff_local_weight_grad")))
void ff_local_weight_grad(int rows, int H, int W, int Ci, int Co, int K, float alpha, const float *x, const float *dy,
                          float beta, float *dw, float *acc) {
  const int r = (K - 1) / 2;
  const long fin = (long)Ci * H * W, fout = (long)Co * H * W;
  for (int py = 0; py < H; py++) {
    for (int co = 0; co < Co; co++) {
      for (int ci = 0; ci < Ci; ci++) {
        for (int ky = 0; ky < K; ky++) {
          const int sy = py + ky - r;
          for (int kx = 0; kx < K; kx++) {
            for (int px = 0; px < W; px++) acc[px] = 0.0f;
            if (sy >= 0 && sy < H) {
              const int lo = imax(0, r - kx), hi = imin(W, W + r - kx);
              for (int i = 0; i < rows; i++) {
                const float *xr = x + i * fin + ((long)ci * H + sy) * W + kx - r;
                const float *dr = dy + i * fout + ((long)co * H + py) * W;
                for (int px = lo; px < hi; px++) acc[px] += dr[px] * xr[px];
              }
            }
            store(dw + ((((long)(py * Co + co) * Ci + ci) * K + ky) * K + kx) * W, acc, W, alpha, beta);
          }
        }
      }
    }
  }
}

// dx = alpha·LCᵀ(dy, w) + beta·dx: the gradient w.r.t. the source map.
__attribute__((export_name("ff_local_input_grad")))
void ff_local_input_grad(int rows, int H, int W, int Ci, int Co, int K, float alpha, const float *dy, const float *w,
                         float beta, float *dx, float *acc) {
  const int r = (K - 1) / 2;
  const long fin = (long)Ci * H * W, fout = (long)Co * H * W;
  for (int i = 0; i < rows; i++) {
    for (long j = 0; j < fin; j++) acc[j] = 0.0f;
    for (int co = 0; co < Co; co++) {
      for (int py = 0; py < H; py++) {
        const float *dr = dy + i * fout + ((long)co * H + py) * W;
        for (int ci = 0; ci < Ci; ci++) {
          for (int ky = 0; ky < K; ky++) {
            const int sy = py + ky - r;
            if (sy < 0 || sy >= H) continue;
            float *ar = acc + ((long)ci * H + sy) * W - r;
            for (int kx = 0; kx < K; kx++) {
              const float *wr = w + ((((long)(py * Co + co) * Ci + ci) * K + ky) * K + kx) * W;
              const int lo = imax(0, r - kx), hi = imin(W, W + r - kx);
              for (int px = lo; px < hi; px++) ar[px + kx] += wr[px] * dr[px];
            }
          }
        }
      }
    }
    store(dx + i * fin, acc, (int)fin, alpha, beta);
  }
}
