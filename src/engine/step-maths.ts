// FF's per-minibatch maths as engine kernels (issue 33): the few small per-row computations a
// training step used to do in JavaScript after reading matrices back — the head's cross-entropy
// gradient, drawing negative labels from its probabilities, writing label units, the layer
// objectives' coefficients, peer normalization. On a GPU each such read stalls the queue; as
// kernels they stay on the engine, and their loss and error sums go to a Tally read once per
// epoch. These functions are the reference twins: the CPU engines (js, wasm, native) run them
// on their matrices' memory as they are, so training there is bit-identical to the old host
// code (the same operations, in double, in the same order); the WebGPU engine's WGSL follows
// them in float32. Randomness stays the host's: the caller draws one 32-bit number per row from
// the run's RNG (what Rng.uniform would have drawn) and the kernel turns it into a label.

/** d/dx log(1 + eˣ) pieces, in forms that do not overflow (the objectives' own). */
export const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
export const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** Rng.uniform's value for a drawn 32-bit number. */
export const uniformOf = (draw: number): number => draw / 4294967296;

/**
 * Rng.categorical with its one uniform `u` given: an index of `weights[offset..offset+n)` with
 * probability ∝ weight; uniform over all n when no weight is positive.
 */
export function categoricalWith(u: number, weights: ArrayLike<number>, offset: number, n: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[offset + i];
  if (!(total > 0)) return Math.floor(u * n);
  let r = u * total;
  for (let i = 0; i < n; i++) {
    r -= weights[offset + i];
    if (r < 0) return i;
  }
  // Rounding left r ≥ 0: return the last index with non-zero weight.
  for (let i = n - 1; i >= 0; i--) if (weights[offset + i] > 0) return i;
  return n - 1;
}

/**
 * sampleAtTemperature with its uniform given: p^(1/t) renormalised, computed relative to the
 * most probable class so that a small t stays nearly greedy instead of underflowing to zero.
 */
export function sampleAtTemperatureWith(u: number, probs: ArrayLike<number>, offset: number, n: number, temperature: number, scratch: Float64Array = new Float64Array(n)): number {
  if (temperature === 1) return categoricalWith(u, probs, offset, n);
  let max = 0;
  for (let j = 0; j < n; j++) if (probs[offset + j] > max) max = probs[offset + j];
  if (!(max > 0) || !Number.isFinite(max)) return categoricalWith(u, probs, offset, n);
  const logMax = Math.log(max);
  for (let j = 0; j < n; j++) {
    const p = probs[offset + j];
    scratch[j] = p > 0 ? Math.exp((Math.log(p) - logMax) / temperature) : 0;
  }
  return categoricalWith(u, scratch, 0, n);
}

/** A wrong label drawn uniformly with uniform `u`: never `label`. */
export function wrongLabelWith(u: number, label: number, numClasses: number): number {
  const k = Math.floor(u * (numClasses - 1));
  return k >= label ? k + 1 : k;
}

/**
 * Softmax cross-entropy's descent gradient at the logits from B × N probabilities: grad =
 * probs − onehot(label); tally[at] += Σ −log p(label), tally[at + 1] += rows whose most
 * probable class is not their label.
 */
export function crossEntropyGradRef(probs: Float32Array, labels: Float32Array, grad: Float32Array, N: number, tally: Float64Array, at: number): void {
  grad.set(probs);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    tally[at] += -Math.log(1e-30 + probs[i * N + y]);
    let best = 0;
    for (let j = 1; j < N; j++) if (probs[i * N + j] > probs[i * N + best]) best = j;
    if (best !== y) tally[at + 1]++;
    grad[i * N + y] -= 1;
  }
}

/** How drawLabels turns a row of probabilities and a uniform into a label. */
export interface DrawLabelsOptions {
  /**
   * 'hard': from the probabilities over the wrong labels (the true one weighs 0; a row certain
   * of its true label falls back to a uniform wrong one); 'teacher-forced': from all labels,
   * at `temperature`.
   */
  rule: 'hard' | 'teacher-forced';
  temperature: number;
}

/**
 * A hard negative label with uniform `u`: from the probabilities of row `probs[offset..+N)`
 * over the WRONG labels (the true one weighs 0, like ffnew.m's "−1000 on the target logit");
 * a row certain of its true label leaves nothing, and falls back to a uniform wrong label.
 */
export function hardLabelWith(u: number, probs: ArrayLike<number>, offset: number, truth: number, N: number, w: Float64Array = new Float64Array(N)): number {
  for (let j = 0; j < N; j++) w[j] = probs[offset + j];
  w[truth] = 0;
  let total = 0;
  for (let j = 0; j < N; j++) total += w[j];
  return total > 0 ? categoricalWith(u, w, 0, N) : wrongLabelWith(u, truth, N);
}

/** One label per row of `probs` (B × N) into `out`, each from its row's draw (a 32-bit number). */
export function drawLabelsRef(probs: Float32Array, truth: Float32Array, draws: Uint32Array, out: Float32Array, N: number, o: DrawLabelsOptions): void {
  const w = new Float64Array(N);
  for (let i = 0; i < out.length; i++) {
    const u = uniformOf(draws[i]);
    out[i] = o.rule === 'teacher-forced' ? sampleAtTemperatureWith(u, probs, i * N, N, o.temperature, w) : hardLabelWith(u, probs, i * N, truth[i], N, w);
  }
}

/** Where a row's label units are: unit k of `count` at offset + k·stride (stride > 1: channels-last maps). */
export interface LabelUnits {
  offset: number;
  stride: number;
  count: number;
  /** The value of the label's unit; the others are 0. */
  strength: number;
}

/** Row i of x (rows × width) gets label labels[i]: its label units 0, the label's one `strength`. */
export function setLabelUnitsRef(x: Float32Array, width: number, labels: Float32Array, u: LabelUnits): void {
  for (let i = 0; i < labels.length; i++) {
    const o = i * width + u.offset;
    for (let k = 0; k < u.count; k++) x[o + k * u.stride] = 0;
    x[o + labels[i] * u.stride] = u.strength;
  }
}

/** The settings of an objective with one goodness per row (logistic FF, SymBa). */
export interface RowObjectiveOptions {
  loss: 'logistic' | 'symba';
  /** Positive rows first, then negative rows. */
  positives: number;
  negatives: number;
  /** +1 when positive rows should have high goodness (max-ssq), −1 for min-ssq. */
  sign: number;
  temperature: number;
  threshold: number;
  /** SymBa's α. */
  alpha: number;
  /** Goodness = raw power sum / this (the width for a mean, 1 for a sum). */
  goodnessDivisor: number;
  /** dG/d(raw sum): 1/width for a mean, 1 for a sum. */
  goodnessScale: number;
  /** d(raw sum)/dy without the y: the power, or 1 as ffnew.m has it. */
  dGdy: number;
}

/**
 * Per-row coefficients of the descent gradient at the total input (coef_i · dG/dy) from the
 * raw goodness of P positive then N negative rows; tally[at] += the loss, tally[at + 1] += the
 * pairs whose negative looked more positive than its positive (only when the rows pair up).
 */
export function rowCoefficientsRef(g: Float32Array, coef: Float32Array, o: RowObjectiveOptions, tally: Float64Array, at: number): void {
  const { positives: P, negatives: N, sign, temperature: T, threshold: theta } = o;
  const goodness = (raw: number) => (o.goodnessDivisor === 1 ? raw : raw / o.goodnessDivisor);
  if (o.loss === 'symba') {
    const a = o.alpha;
    for (let i = 0; i < P; i++) {
      const gPos = goodness(g[i]);
      const gNeg = goodness(g[P + i]);
      // Pair errors as the logistic objective counts them (through θ, the same rounding).
      const xPos = (sign * (gPos - theta)) / T;
      const xNeg = (sign * (gNeg - theta)) / T;
      if (xNeg > xPos) tally[at + 1]++;
      const d = (sign * (gPos - gNeg)) / T;
      tally[at] += softplus(-a * d);
      const w = a * sigmoid(-a * d) * (sign / T) * o.goodnessScale * o.dGdy;
      coef[i] = -w;
      coef[P + i] = w;
    }
    return;
  }
  const scale = (sign / T) * o.goodnessScale * o.dGdy;
  const pairs = P === N;
  // Positive i and negative i together, so that the loss is summed pair by pair.
  for (let i = 0; i < Math.max(P, N); i++) {
    const pos = i < P;
    const neg = i < N;
    const gPos = pos ? goodness(g[i]) : 0;
    const gNeg = neg ? goodness(g[P + i]) : 0;
    const xPos = (sign * (gPos - theta)) / T;
    const xNeg = (sign * (gNeg - theta)) / T;
    if (pairs && xNeg > xPos) tally[at + 1]++;
    tally[at] += (pos ? softplus(-xPos) : 0) + (neg ? softplus(xNeg) : 0);
    if (pos) coef[i] = -(1 - sigmoid(xPos)) * scale; // positive: raise p
    if (neg) coef[P + i] = sigmoid(xNeg) * scale; // negative: lower p
  }
}

/**
 * The channel-group objective's coefficients (rows × N) from its group goodness G (rows × N)
 * and the rows' labels: ((softmax(G/T) − onehot)/T)·dGdy; tally[at] += the cross-entropy,
 * tally[at + 1] += rows whose largest G is not their label's.
 */
export function groupCoefficientsRef(G: Float32Array, labels: Float32Array, coef: Float32Array, N: number, T: number, dGdy: number, tally: Float64Array, at: number): void {
  for (let i = 0; i < labels.length; i++) {
    const row = G.subarray(i * N, (i + 1) * N);
    let max = -Infinity;
    let best = 0;
    for (let k = 0; k < N; k++) if (row[k] / T > max) (max = row[k] / T), (best = k);
    let sum = 0;
    for (let k = 0; k < N; k++) sum += Math.exp(row[k] / T - max);
    const label = labels[i];
    tally[at] += Math.log(sum) - (row[label] / T - max);
    if (best !== label) tally[at + 1]++;
    for (let k = 0; k < N; k++) coef[i * N + k] = ((Math.exp(row[k] / T - max) / sum - (k === label ? 1 : 0)) / T) * dGdy;
  }
}

/** Peer normalization's settings. */
export interface PeerOptions {
  /** Positive rows the column sums are over. */
  rows: number;
  decay: number;
  lambda: number;
}

/**
 * Peer normalization: each unit's running mean activity on positive data moves toward this
 * minibatch's (colSum / rows), and push_j = −λ·(mean of the means − mean_j), the descent push
 * toward the layer's average (not gated by the ReLU, so it can revive units that are off).
 */
export function peerPushRef(colSum: Float32Array, means: Float32Array, push: Float32Array, o: PeerOptions): void {
  const n = means.length;
  let avg = 0;
  for (let j = 0; j < n; j++) {
    means[j] = o.decay * means[j] + (1 - o.decay) * (colSum[j] / o.rows);
    avg += means[j];
  }
  avg /= n;
  for (let j = 0; j < n; j++) push[j] = -o.lambda * (avg - means[j]);
}
