// A simulated analog chip (SPEC §7): the hidden layers' weights live on it as conductances.
// Each chip has its own fixed variation — every weight is off by a factor (1 + σ_w·n), every
// unit's gain by (1 + σ_g·n) — and every pass adds noise: multiplicative on the weights and on
// each unit's total input, additive on the total input. The variation can drift slowly while
// training. All of it comes from the engine's seeded `perturb`, so a chip is reproducible from
// its number and the noise from the pass number, on every backend and thread count.
import type { Engine, Mat } from '../engine/engine.js';
import type { RunConfig } from '../train/run-config.js';
import { seedFor } from './stage-seed.js';

export type AnalogSettings = Pick<RunConfig, 'device' | 'analogVariation' | 'analogGain' | 'analogMulNoise' | 'analogAddNoise' | 'analogWeightNoise' | 'analogDrift'>;

/** Whether the settings describe a chip that differs from an ideal digital one. */
export function isAnalog(s: AnalogSettings): boolean {
  return s.analogVariation > 0 || s.analogGain > 0 || s.analogMulNoise > 0 || s.analogAddNoise > 0 || s.analogWeightNoise > 0 || s.analogDrift > 0;
}

export class AnalogDevice {
  /** Per hidden layer: the chip's factor on each bottom-up weight (gain folded in per column). */
  private readonly factors: Mat[];
  /** Per hidden layer: this pass's effective weights (scratch). */
  private readonly effective: Mat[];

  constructor(
    readonly engine: Engine,
    readonly settings: AnalogSettings,
    /** Shapes of the hidden layers' bottom-up weights (fan-in × width). */
    shapes: { rows: number; cols: number }[],
  ) {
    const e = engine;
    const s = settings;
    this.factors = shapes.map(({ rows, cols }, l) => {
      const f = e.zeros(rows, cols);
      e.fill(f, 1);
      e.perturb(f, f, { mul: s.analogVariation, add: 0, seed: seedFor(s.device, 'weight-variation', l), stream: 0 });
      if (s.analogGain > 0) {
        // A unit's gain scales its whole total input: one factor per column of its weights.
        const g = e.zeros(1, cols);
        e.fill(g, 1);
        e.perturb(g, g, { mul: s.analogGain, add: 0, seed: seedFor(s.device, 'gain-variation', l), stream: 0 });
        for (let r = 0; r < rows; r++) e.multiply(e.rowView(f, r, 1), g, e.rowView(f, r, 1));
        e.dispose(g);
      }
      return f;
    });
    this.effective = shapes.map(({ rows, cols }) => e.zeros(rows, cols));
  }

  /** The weights hidden layer l really applies in pass `pass`: w ⊙ chip factor ⊙ (1 + weight noise). */
  weights(l: number, w: Mat, pass: number, passSeed: number): Mat {
    const out = this.effective[l];
    this.engine.multiply(w, this.factors[l], out);
    const σ = this.settings.analogWeightNoise;
    if (σ > 0) this.engine.perturb(out, out, { mul: σ, add: 0, seed: seedFor(passSeed, 'weight-noise', l), stream: pass });
    return out;
  }

  /** Noise on hidden layer l's total inputs z (before bias and ReLU), in place. */
  noise(l: number, z: Mat, pass: number, passSeed: number): void {
    const s = this.settings;
    if (s.analogMulNoise === 0 && s.analogAddNoise === 0) return;
    this.engine.perturb(z, z, { mul: s.analogMulNoise, add: s.analogAddNoise, seed: seedFor(passSeed, 'input-noise', l), stream: pass });
  }

  /** After training step `step`: the chip's variation drifts (multiplicative random walk). */
  driftAfter(step: number): void {
    const σ = this.settings.analogDrift;
    if (σ === 0) return;
    this.factors.forEach((f, l) => this.engine.perturb(f, f, { mul: σ, add: 0, seed: seedFor(this.settings.device, 'drift', l), stream: step }));
  }

  /** The chip's (drifted) factors for a checkpoint. */
  saveState(): Promise<Float32Array[]> {
    return Promise.all(this.factors.map((f) => this.engine.read(f)));
  }

  loadState(data: Float32Array[]): void {
    this.factors.forEach((f, l) => {
      if (data[l].length !== f.rows * f.cols) throw new Error(`device.layer${l + 1}.factor has ${data[l].length} values, expected ${f.rows}×${f.cols}`);
      this.engine.write(f, data[l]);
    });
  }

  /** Shapes of the hidden layers' bottom-up weights. */
  get shapes(): { rows: number; cols: number }[] {
    return this.factors.map((f) => ({ rows: f.rows, cols: f.cols }));
  }
}
