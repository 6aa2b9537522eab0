// The WebAssembly engine's memory-bound kernels that a training step calls most (after the
// products): bias + ReLU, column sums, the smoothed update. Formula for formula as the
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
