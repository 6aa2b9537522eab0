// Recurrent dynamics (SPEC §4): each layer reads the layer below and the layer above (the top
// one reads the clamped label layer) at the previous time step, optionally itself. After the
// net's bottom-up sweep, whose activities become every layer's initial state, the net settles
// by synchronous damped iterations: computeActivities (every y from the previous states),
// then advanceStates (state ← damping·state + (1 − damping)·y, normalized). A minibatch trains
// by recurrentTrainStep (recurrent-step.ts); the epoch's record adds the per-iteration sums.
import type { Mat } from '../engine/engine.js';
import type { FFEpochStats, FFEpochSums } from './epoch-tally.js';
import type { FFNet, Workspace } from './ff-net.js';
import type { Batch } from './ff-step.js';
import { NORM_EPS } from './norm-eps.js';
import { recurrentTrainStep } from './recurrent-step.js';
import type { NetDynamics } from './dynamics.js';

export class RecurrentDynamics implements NetDynamics {
  readonly kind = 'recurrent';

  constructor(private readonly net: FFNet) {}

  get talliedIterations(): number {
    return this.net.cfg.iterations;
  }

  /** Layer l's damped state (rows × width). */
  states(rows: number): Mat[] {
    return this.net.cfg.layers.map((w) => this.net.engine.zeros(rows, w));
  }

  /** The sweep's activities are the layer's initial state. */
  swept(ws: Workspace, l: number, y: Mat, start: number, count: number): void {
    this.net.engine.copy(y, this.net.engine.rowView(ws.state[l], start, count));
  }

  trainStep(batch: Batch, gain: number, stats: FFEpochStats): void {
    recurrentTrainStep(this.net, batch, gain, stats);
  }

  /** Per iteration (rows) and layer (columns), from gradientFrom on: how settling helps. */
  epochRecord(s: FFEpochSums, n: number): Record<string, number[][]> {
    const from = this.net.cfg.gradientFrom - 1;
    return {
      ffLossByIteration: s.iterationLoss.slice(from).map((row) => row.map((x) => x / n)),
      pairErrorsByIteration: s.iterationPairErrors.slice(from),
    };
  }

  /** Clamp the label layer of rows [start, start + count) to one-of-N codes of value labelStrength (labels on the host or the engine). */
  clampLabels(ws: Workspace, start: number, labels: ArrayLike<number> | Mat): void {
    const net = this.net;
    const m = labelsMat(net, labels);
    net.engine.setLabelUnits(net.engine.rowView(ws.label!, start, m.rows), m, { offset: 0, stride: 1, count: net.numClasses, strength: net.cfg.labelStrength });
  }

  /**
   * One time step for rows [start, start+count), phase 1: every layer's new activities
   * y[l] = relu(Σ_connections source(t−1)·W + b) and their goodness g[l], from the normalized
   * states of the previous step (synchronous: no state changes yet).
   */
  computeActivities(ws: Workspace, start: number, count: number): void {
    const net = this.net;
    const e = net.engine;
    const v = (m: Mat) => e.rowView(m, start, count);
    for (let l = 0; l < net.numLayers; l++) {
      const layer = net.layers[l];
      const inputs = net.sources(ws, l, start, count);
      const y = v(ws.y[l]);
      layer.connections.forEach((c, k) => layer.project(c, inputs.get(c.source)!, y, k === 0 ? 0 : 1));
      e.addBias(y, layer.bias.value, true);
      e.rowPowerSum(y, v(ws.g[l]), net.cfg.goodnessPower);
    }
  }

  /** Phase 2: state ← damping·state + (1 − damping)·y, then n ← normalized state, for every layer. */
  advanceStates(ws: Workspace, start: number, count: number): void {
    const net = this.net;
    const e = net.engine;
    const v = (m: Mat) => e.rowView(m, start, count);
    const d = net.cfg.damping;
    for (let l = 0; l < net.numLayers; l++) {
      const s = v(ws.state[l]);
      e.axpby(1 - d, v(ws.y[l]), d, s, s);
      e.normalizeRows(s, v(ws.n[l + 1]), net.rowNorm, NORM_EPS);
    }
  }

  /**
   * After a bottom-up sweep of rows [0, count): clamp `labels` on the label layer and settle for
   * `iterations` steps; `visit(t)` runs after step t's activities (and their goodness, ws.g) are
   * computed, before the states advance.
   */
  async settle(ws: Workspace, count: number, labels: ArrayLike<number>, iterations: number, visit: (t: number) => Promise<void> | void): Promise<void> {
    this.clampLabels(ws, 0, labels);
    for (let t = 1; t <= iterations; t++) {
      this.computeActivities(ws, 0, count);
      await visit(t);
      if (t < iterations) this.advanceStates(ws, 0, count);
    }
  }
}

/** Labels as an engine matrix (count × 1): given, or host labels uploaded to a scratch one. */
function labelsMat(net: FFNet, labels: ArrayLike<number> | Mat): Mat {
  if (isMat(labels)) return labels;
  const m = net.cached(`host-labels:${labels.length}`, () => net.engine.zeros(labels.length, 1));
  net.engine.write(m, Float32Array.from(labels));
  return m;
}

function isMat(x: ArrayLike<number> | Mat): x is Mat {
  // Host labels are arrays or typed arrays; an engine's matrix may have a length of its own.
  return !Array.isArray(x) && !ArrayBuffer.isView(x);
}
