// Operand checks of FF's per-minibatch step kernels (Engine.crossEntropyGrad … peerPush),
// shared by every engine so that each refuses the same calls with the same one-line errors.
// Labels' values are checked only where the engine can see them (the CPU engines).
import type { DropoutOptions } from './dropout-mask.js';
import { checkShape, type DrawLabelsOptions, type LabelUnits, type Mat, type PeerOptions, type RowObjectiveOptions, type Tally } from './engine.js';

/** Slots [at, at + count) of t exist. */
export function checkTallySlots(what: string, t: Tally, at: number, count = 2): void {
  if (!Number.isInteger(at) || at < 0 || at + count > t.size) throw new Error(`${what}: tally slots [${at}, ${at + count}) outside 0..${t.size}`);
}

export function checkTallySize(size: number): void {
  if (!Number.isInteger(size) || size < 0) throw new Error(`tally: bad size ${size}`);
}

export function checkCrossEntropyGrad(probs: Mat, labels: Mat, grad: Mat, t: Tally, at: number): void {
  checkShape('crossEntropyGrad labels', labels, probs.rows, 1);
  checkShape('crossEntropyGrad grad', grad, probs.rows, probs.cols);
  checkTallySlots('crossEntropyGrad', t, at);
}

export function checkDrawLabels(probs: Mat, truth: Mat, draws: Uint32Array, out: Mat, o: DrawLabelsOptions): void {
  checkShape('drawLabels truth', truth, probs.rows, 1);
  checkShape('drawLabels out', out, probs.rows, 1);
  if (draws.length !== probs.rows) throw new Error(`drawLabels: ${draws.length} draws for ${probs.rows} rows`);
  if (!(o.temperature > 0)) throw new Error(`drawLabels: temperature must be > 0, got ${o.temperature}`);
}

export function checkLabelUnits(x: Mat, labels: Mat, u: LabelUnits): void {
  checkShape('setLabelUnits labels', labels, x.rows, 1);
  const last = u.offset + (u.count - 1) * u.stride;
  if (!(u.count > 0 && u.offset >= 0 && u.stride > 0 && last < x.cols)) throw new Error(`setLabelUnits: ${u.count} label units from ${u.offset} every ${u.stride} do not fit rows of ${x.cols}`);
}

export function checkRowCoefficients(g: Mat, coef: Mat, o: RowObjectiveOptions, t: Tally, at: number): void {
  const rows = o.positives + o.negatives;
  checkShape('rowCoefficients goodness', g, rows, 1);
  checkShape('rowCoefficients output', coef, rows, 1);
  checkTallySlots('rowCoefficients', t, at);
  if (o.loss === 'symba' && o.positives !== o.negatives) throw new Error(`--loss symba needs as many positive as negative rows (got ${o.positives} positive, ${o.negatives} negative): its loss is on pairs`);
}

export function checkGroupCoefficients(G: Mat, labels: Mat, coef: Mat, t: Tally, at: number): void {
  checkShape('groupCoefficients labels', labels, G.rows, 1);
  checkShape('groupCoefficients output', coef, G.rows, G.cols);
  checkTallySlots('groupCoefficients', t, at);
}

export function checkPeerPush(colSum: Mat, means: Mat, push: Mat, o: PeerOptions): void {
  checkShape('peerPush means', means, 1, colSum.cols);
  checkShape('peerPush output', push, 1, colSum.cols);
  checkShape('peerPush column sums', colSum, 1, colSum.cols);
  if (!(o.rows > 0)) throw new Error(`peerPush: rows must be > 0, got ${o.rows}`);
}

export function checkDropout(x: Mat, o: DropoutOptions): void {
  if (!(o.rate >= 0 && o.rate < 1)) throw new Error(`dropout: rate must be in [0, 1), got ${o.rate}`);
  for (const key of ['seed', 'stream'] as const) {
    const v = o[key];
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`dropout: ${key} must be an integer in [0, 4294967295], got ${String(v)}`);
  }
  // Element counters are uint32: the last one must fit.
  if (!Number.isInteger(o.offset) || o.offset < 0 || o.offset + x.rows * x.cols > 2 ** 32) throw new Error(`dropout: offset ${o.offset} + ${x.rows * x.cols} elements exceeds the 2^32 element counters`);
}
