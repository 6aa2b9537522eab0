// A connection kind as a part (SPEC §7): how one incoming connection of a layer maps its
// source rows to the layer's total input through its weight matrix — dense (masked for grid
// nets), locally connected, or a weight-shared convolution. The layer (stages/layer.ts) only
// calls these; adding a kind is one new file here, chosen per connection by the layer.
import type { Engine, Mat, ScaleOptions } from '../../engine/engine.js';
import type { Rng } from '../../engine/rng.js';
import type { Param } from '../../train/optimizer.js';
import type { RunConfig } from '../../train/run-config.js';

/** A named scratch matrix the layer keeps for the connection (allocated once per shape). */
export type Scratch = (name: string, rows: number, cols: number) => Mat;

export interface ConnectionKind {
  /** What checkpoints, exporters and pictures switch on. */
  readonly name: string;
  /** Values per source row and per target row. */
  readonly inputSize: number;
  readonly outputSize: number;
  /** The learned weight, initialised from the layer's RNG (ffnew.m: N(0,1)/sqrt(fan-in)). */
  createWeight(name: string, engine: Engine, opt: RunConfig, rng: Rng): Param;
  /** y = x·W (beta 0) or y += x·W (beta 1), whatever x·W means for the kind. */
  forward(x: Mat, w: Mat, y: Mat, beta: 0 | 1): void;
  /** dw = alpha·(∂(Σ dy ⊙ y)/∂W) + beta·dw: the kind's analogue of xᵀ·dy, summed over rows. */
  weightGradient(x: Mat, dy: Mat, dw: Mat, opts?: ScaleOptions): void;
  /** dx = the gradient at the source from dy at the output (the kind's analogue of dy·Wᵀ). */
  inputGradient(dy: Mat, w: Mat, dx: Mat): void;
}
