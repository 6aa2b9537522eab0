// The WebAssembly engine's memory-bound kernels that a training step calls most (after the
// products): bias + ReLU, column sums, the smoothed update, row normalization (with the
// goodness), the FF gradient's row scaling, row-vector adds. Formula for formula as the
// TypeScript reference (src/engine/js-backend.ts) and the native addon (native/ff_native.c):
// float32 operations where they use float32, double accumulation where they use double, the
// same order of summation — so all three engines give the same bits. Built with
// -ffp-contract=off (no fused multiply-add). clang vectorizes the loops with SIMD128.

// x ← x + bias (per column), then ReLU if relu. x is rows × cols.
__attribute__((export_name("ff_add_bias")))
void ff_add_bias(float *x, int rows, int cols, const float *b, int relu) {
  for (int i = 0; i < rows; i++) {
    float *row = x + (long)i * cols;
    if (relu) {
      for (int j = 0; j < cols; j++) {
        const float v = row[j] + b[j];
        row[j] = v < 0.0f ? 0.0f : v;
      }
    } else {
      for (int j = 0; j < cols; j++) row[j] += b[j];
    }
  }
}

// out ← beta·out + alpha·Σ_i x[i,:], summed in double row by row; acc holds cols doubles.
__attribute__((export_name("ff_col_sum")))
void ff_col_sum(const float *x, int rows, int cols, float *out, double alpha, double beta, double *acc) {
  for (int j = 0; j < cols; j++) acc[j] = 0.0;
  for (int i = 0; i < rows; i++) {
    const float *row = x + (long)i * cols;
    for (int j = 0; j < cols; j++) acc[j] += (double)row[j];
  }
  for (int j = 0; j < cols; j++) {
    const double base = beta == 0 ? 0.0 : beta * (double)out[j];
    out[j] = (float)(base + alpha * acc[j]);
  }
}

// w ← w − lr·(state + weightCost·w) in float32 arithmetic; w and state do not overlap.
__attribute__((export_name("ff_smooth_apply")))
void ff_smooth_apply(float *restrict w, const float *restrict s, int n, float lr, float wc) {
  for (int i = 0; i < n; i++) {
    const float v = w[i];
    w[i] = v - lr * (s[i] + wc * v);
  }
}

// Σ x² of one row in double, in 8 interleaved partial sums added pairwise — the order
// native/ff_native.c and js-backend.ts (sumSqLanes) use, so the bits agree.
#define SUM_LANES 8
static double sum_sq_lanes(const float *x, int n) {
  double acc[SUM_LANES] = {0, 0, 0, 0, 0, 0, 0, 0};
  int j = 0;
  for (; j + SUM_LANES <= n; j += SUM_LANES) {
    for (int k = 0; k < SUM_LANES; k++) acc[k] += (double)x[j + k] * (double)x[j + k];
  }
  double s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; j < n; j++) s += (double)x[j] * (double)x[j];
  return s;
}

// out = x / (eps + rms(row)) (rms) or x / (eps + ‖row‖) (l2); out may be x. sum_sq (or 0)
// receives each row's Σ x².
__attribute__((export_name("ff_normalize_rows")))
void ff_normalize_rows(const float *x, int rows, int cols, float *out, int rms, double eps, float *sum_sq) {
  for (int i = 0; i < rows; i++) {
    const float *r = x + (long)i * cols;
    float *o = out + (long)i * cols;
    const double s = sum_sq_lanes(r, cols);
    if (sum_sq) sum_sq[i] = (float)s;
    const double len = rms ? __builtin_sqrt(s / (double)cols) : __builtin_sqrt(s);
    const double inv = 1 / (eps + len);
    for (int j = 0; j < cols; j++) o[j] = (float)((double)r[j] * inv);
  }
}

// out = coef[i]·y (power 2) or coef[i]·[y > 0] (power 1); with beta ≠ 0, out ← beta·out + that.
__attribute__((export_name("ff_scale_rows")))
void ff_scale_rows(const float *y, int rows, int cols, const float *coef, float *out, int power, double beta) {
  for (int i = 0; i < rows; i++) {
    const float *r = y + (long)i * cols;
    float *o = out + (long)i * cols;
    const double ci = coef[i];
    if (power == 2) {
      if (beta == 0) {
        for (int j = 0; j < cols; j++) o[j] = (float)(ci * (double)r[j]);
      } else {
        for (int j = 0; j < cols; j++) o[j] = (float)(beta * (double)o[j] + ci * (double)r[j]);
      }
    } else {
      const float cf = coef[i];
      if (beta == 0) {
        for (int j = 0; j < cols; j++) o[j] = r[j] > 0.0f ? cf : 0.0f;
      } else {
        for (int j = 0; j < cols; j++) o[j] = (float)(beta * (double)o[j] + (r[j] > 0.0f ? ci : 0.0));
      }
    }
  }
}

// x[i,j] ← x[i,j] + alpha·v[j], in double, rounded once.
__attribute__((export_name("ff_add_row_vector")))
void ff_add_row_vector(float *x, int rows, int cols, const float *v, double alpha) {
  for (int i = 0; i < rows; i++) {
    float *r = x + (long)i * cols;
    for (int j = 0; j < cols; j++) r[j] = (float)((double)r[j] + alpha * (double)v[j]);
  }
}
