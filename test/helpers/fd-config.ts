// Settings under which one FF update moves every parameter by exactly −∂L/∂θ of the layer's
// loss (mean over the minibatch), so finite differences can check it: no smoothing, momentum,
// weight cost or peer push, rate 1, the exact factor 2 of d(y²)/dy, a small threshold.
import type { FFConfig } from '../../src/ff/config.js';

export const FD_UPDATE: Partial<FFConfig> = {
  optimizer: 'momentum',
  momentum: 0,
  lr: 1,
  weightCost: 0,
  peerLambda: 0,
  exactGradient: true,
  negatives: 'random',
  threshold: 2,
};
