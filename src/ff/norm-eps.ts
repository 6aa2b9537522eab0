// The ε of the row and group normalizations, shared by the FF net, its recurrent dynamics and backprop.

/** ffnormrows' "tiny" (exp(−50)) keeps an all-zero row at zero instead of NaN. */
export const NORM_EPS = Math.exp(-50);
/** GroupNorm's ε (PyTorch's default): a constant map stays finite. */
export const GROUP_NORM_EPS = 1e-5;
