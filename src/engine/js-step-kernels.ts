// The CPU engines' (js, wasm, native) FF step kernels: step-maths.ts's reference functions run
// on the matrices' own memory, after the operand checks every engine makes (step-shapes.ts).
// A Tally here is a Float64Array, so the sums are the ones the host code used to make, bit for bit.
import type { DrawLabelsOptions, LabelUnits, Mat, PeerOptions, RowObjectiveOptions, Tally } from './engine.js';
import { checkCrossEntropyGrad, checkDropout, checkDrawLabels, checkGroupCoefficients, checkLabelUnits, checkPeerPush, checkRowCoefficients, checkTallySize, checkTallySlots } from './step-shapes.js';
import { cpu } from './cpu-mat.js';
import { dropoutRef, type DropoutOptions } from './dropout-mask.js';
import { crossEntropyGradRef, drawLabelsRef, groupCoefficientsRef, peerPushRef, rowCoefficientsRef, setLabelUnitsRef } from './step-maths.js';

export class CpuTally implements Tally {
  readonly sums: Float64Array;
  constructor(readonly size: number) {
    checkTallySize(size);
    this.sums = new Float64Array(size);
  }
}

export function cpuTally(t: Tally): CpuTally {
  if (!(t instanceof CpuTally)) throw new Error('tally belongs to a different engine');
  return t;
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
  checkCrossEntropyGrad(probs, labels, grad, t, at);
  const y = cpu(labels).data;
  checkLabels('crossEntropyGrad', y, probs.cols);
  crossEntropyGradRef(cpu(probs).data, y, cpu(grad).data, probs.cols, cpuTally(t).sums, at);
}

export function drawLabels(probs: Mat, truth: Mat, draws: Uint32Array, out: Mat, o: DrawLabelsOptions): void {
  checkDrawLabels(probs, truth, draws, out, o);
  const truthData = cpu(truth).data;
  if (o.rule === 'hard') checkLabels('drawLabels', truthData, probs.cols);
  drawLabelsRef(cpu(probs).data, truthData, draws, cpu(out).data, probs.cols, o);
}

export function setLabelUnits(x: Mat, labels: Mat, u: LabelUnits): void {
  checkLabelUnits(x, labels, u);
  const y = cpu(labels).data;
  checkLabels('setLabelUnits', y, u.count);
  setLabelUnitsRef(cpu(x).data, x.cols, y, u);
}

export function rowCoefficients(g: Mat, coef: Mat, o: RowObjectiveOptions, t: Tally, at: number): void {
  checkRowCoefficients(g, coef, o, t, at);
  rowCoefficientsRef(cpu(g).data, cpu(coef).data, o, cpuTally(t).sums, at);
}

export function groupCoefficients(G: Mat, labels: Mat, coef: Mat, temperature: number, dGdy: number, t: Tally, at: number): void {
  checkGroupCoefficients(G, labels, coef, t, at);
  const y = cpu(labels).data;
  checkLabels('groupCoefficients', y, G.cols);
  groupCoefficientsRef(cpu(G).data, y, cpu(coef).data, G.cols, temperature, dGdy, cpuTally(t).sums, at);
}

export function peerPush(colSum: Mat, means: Mat, push: Mat, o: PeerOptions): void {
  checkPeerPush(colSum, means, push, o);
  peerPushRef(cpu(colSum).data, cpu(means).data, cpu(push).data, o);
}

export function dropout(x: Mat, o: DropoutOptions): void {
  checkDropout(x, o);
  dropoutRef(cpu(x).data, o);
}
