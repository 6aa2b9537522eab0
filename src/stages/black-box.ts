// A black box (SPEC §7): a stage in the middle of a net whose function the learner does not
// know — here a fixed random square matrix followed by a ReLU, optionally drifting during
// training. Both algorithms run its forward; nothing else of it is visible to FF. Backprop
// needs a model of its backward (bp/box-model.ts); the only door to the true matrix is
// `revealMatrix`, which the oracle and the stale copy use and a test watches.
import type { Engine, Mat } from '../engine/engine.js';

export class BlackBox {
  /** The hidden matrix (width × width); private so that no learner reads it by accident. */
  #matrix: Mat;
  private readonly zeroBias: Mat;
  private readonly std: number;

  constructor(
    readonly engine: Engine,
    /** Units in and out (the width of the hidden layer it follows). */
    readonly width: number,
    /** 1-based hidden layer it follows. */
    readonly after: number,
    /** Random-walk step per training step, in units of the initial std (0: fixed). */
    readonly drift: number,
    seed: number,
    private readonly driftSeed: number,
  ) {
    this.std = 1 / Math.sqrt(width);
    this.#matrix = engine.zeros(width, width);
    // N(0, 1/width) entries, as a layer's initial weights: the box keeps the activity scale.
    engine.perturb(this.#matrix, this.#matrix, { mul: 0, add: this.std, seed, stream: 0 });
    this.zeroBias = engine.zeros(1, width);
  }

  /** out = relu(x · M) for the rows of x (rows × width). */
  forward(x: Mat, out: Mat): void {
    this.engine.gemm(x, this.#matrix, out);
    this.engine.addBias(out, this.zeroBias, true);
  }

  /** After training step `step` (0-based): the matrix drifts, reproducibly from the seed. */
  driftAfter(step: number): void {
    if (this.drift === 0) return;
    this.engine.perturb(this.#matrix, this.#matrix, { mul: 0, add: this.drift * this.std, seed: this.driftSeed, stream: step });
  }

  /**
   * The true matrix, for what real hardware would not give: backprop's oracle and its stale
   * copy taken at calibration. FF never calls this (test/stages/black-box.test.ts).
   */
  revealMatrix(): Mat {
    return this.#matrix;
  }

  /** The simulator's state for a checkpoint (the drifted matrix), not a learner's view of it. */
  saveState(): Promise<Float32Array> {
    return this.engine.read(this.#matrix);
  }

  loadState(data: Float32Array): void {
    if (data.length !== this.width * this.width) throw new Error(`box.matrix has ${data.length} values, expected ${this.width}×${this.width}`);
    this.engine.write(this.#matrix, data);
  }
}
