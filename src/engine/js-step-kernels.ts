// The CPU engines' (js, wasm, native) FF step kernels: step-maths.ts's reference functions run
// on the matrices' own memory, after the shape checks every engine makes. A Tally here is a
// Float64Array, so the sums are the ones the host code used to make, bit for bit.
import { checkShape, type DrawLabelsOptions, type LabelUnits, type Mat, type PeerOptions, type RowObjectiveOptions, type Tally } from './engine.js';
import { cpu } from './cpu-mat.js';
import { crossEntropyGradRef, drawLabelsRef, groupCoefficientsRef, peerPushRef, rowCoefficientsRef, setLabelUnitsRef } from './step-maths.js';

export class CpuTally implements Tally {
  readonly sums: Float64Array;
  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 0) throw new Error(`tally: bad size ${size}`);
    this.sums = new Float64Array(size);
  }
}

export function cpuTally(t: Tally): CpuTally {
  if (!(t instanceof CpuTally)) throw new Error('tally belongs to a different engine');
  return t;
}

/** Slots at and at+1 of t exist. */
export function checkTallySlots(what: string, t: Tally, at: number, count = 2): void {
  if (!Number.isInteger(at) || at < 0 || at + count > t.size) throw new Error(`${what}: tally slots [${at}, ${at + count}) outside 0..${t.size}`);
}

/** Labels (rows × 1) are whole numbers in [0, classes). */
export function checkLabels(what: string, labels: Float32Array, classes: number): void {
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!(Number.isInteger(y) && y >= 0 && y < classes)) throw new Error(`${what}: label ${y} of row ${i} is not one of 0..${classes - 1}`);
  }
}

export function addTally(t: Tally, from: number, to: number, count: number, divisor: number): void {
  checkTallySlots('addTally', t, from, count);
  checkTallySlots('addTally', t, to, count);
  const s = cpuTally(t).sums;
  for (let k = 0; k < count; k++) s[to + k] += s[from + k] / divisor;
}

export function clearTally(t: Tally, at: number, count: number): void {
  checkTallySlots('clearTally', t, at, count);
  cpuTally(t).sums.fill(0, at, at + count);
}

export function crossEntropyGrad(probs: Mat, labels: Mat, grad: Mat, t: Tally, at: number): void {
  checkShape('crossEntropyGrad labels', labels, probs.rows, 1);
  checkShape('crossEntropyGrad grad', grad, probs.rows, probs.cols);
  checkTallySlots('crossEntropyGrad', t, at);
  const y = cpu(labels).data;
  checkLabels('crossEntropyGrad', y, probs.cols);
  crossEntropyGradRef(cpu(probs).data, y, cpu(grad).data, probs.cols, cpuTally(t).sums, at);
}

export function drawLabels(probs: Mat, truth: Mat, draws: Uint32Array, out: Mat, o: DrawLabelsOptions): void {
  checkShape('drawLabels truth', truth, probs.rows, 1);
  checkShape('drawLabels out', out, probs.rows, 1);
  if (draws.length !== probs.rows) throw new Error(`drawLabels: ${draws.length} draws for ${probs.rows} rows`);
  if (!(o.temperature > 0)) throw new Error(`drawLabels: temperature must be > 0, got ${o.temperature}`);
  const truthData = cpu(truth).data;
  if (o.rule === 'hard') checkLabels('drawLabels', truthData, probs.cols);
  drawLabelsRef(cpu(probs).data, truthData, draws, cpu(out).data, probs.cols, o);
}

export function setLabelUnits(x: Mat, labels: Mat, u: LabelUnits): void {
  checkShape('setLabelUnits labels', labels, x.rows, 1);
  const last = u.offset + (u.count - 1) * u.stride;
  if (!(u.count > 0 && u.offset >= 0 && u.stride > 0 && last < x.cols)) throw new Error(`setLabelUnits: ${u.count} label units from ${u.offset} every ${u.stride} do not fit rows of ${x.cols}`);
  const y = cpu(labels).data;
  checkLabels('setLabelUnits', y, u.count);
  setLabelUnitsRef(cpu(x).data, x.cols, y, u);
}

export function rowCoefficients(g: Mat, coef: Mat, o: RowObjectiveOptions, t: Tally, at: number): void {
  const rows = o.positives + o.negatives;
  checkShape('rowCoefficients goodness', g, rows, 1);
  checkShape('rowCoefficients output', coef, rows, 1);
  checkTallySlots('rowCoefficients', t, at);
  if (o.loss === 'symba' && o.positives !== o.negatives) throw new Error(`--loss symba needs as many positive as negative rows (got ${o.positives} positive, ${o.negatives} negative): its loss is on pairs`);
  rowCoefficientsRef(cpu(g).data, cpu(coef).data, o, cpuTally(t).sums, at);
}

export function groupCoefficients(G: Mat, labels: Mat, coef: Mat, temperature: number, dGdy: number, t: Tally, at: number): void {
  checkShape('groupCoefficients labels', labels, G.rows, 1);
  checkShape('groupCoefficients output', coef, G.rows, G.cols);
  checkTallySlots('groupCoefficients', t, at);
  const y = cpu(labels).data;
  checkLabels('groupCoefficients', y, G.cols);
  groupCoefficientsRef(cpu(G).data, y, cpu(coef).data, G.cols, temperature, dGdy, cpuTally(t).sums, at);
}

export function peerPush(colSum: Mat, means: Mat, push: Mat, o: PeerOptions): void {
  checkShape('peerPush means', means, 1, colSum.cols);
  checkShape('peerPush output', push, 1, colSum.cols);
  checkShape('peerPush column sums', colSum, 1, colSum.cols);
  if (!(o.rows > 0)) throw new Error(`peerPush: rows must be > 0, got ${o.rows}`);
  peerPushRef(cpu(colSum).data, cpu(means).data, cpu(push).data, o);
}
