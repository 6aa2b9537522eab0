// The net description FF (ff/ff-net.ts) and backprop (bp/bp-net.ts) both run (SPEC §7): the
// feed-forward order of the stages — learnable layers (stages/layer.ts) and a black box
// between two of them — and the analog chip the layers run on, built once from the run's
// config. The stages that are not learned only compute; learning is the learner's (FF's rule
// on every layer, or backprop through every stage that gives a backward). This also keeps the
// counters that make the stages' noise reproducible: training steps (drift) and passes
// (noise), saved in checkpoints so a resumed run continues the same streams. Hidden-unit
// dropout (--dropout) draws its masks from the step counter too: one mask per layer and
// training step, hashed from the row's place in the step's rows, so every pass of a step over
// the same rows and the gradient through them see the same mask, and nothing is drawn per pass.
import type { Engine, Mat } from '../engine/engine.js';
import { RUN_DEFAULTS, type RunConfig } from '../train/run-config.js';
import { AnalogDevice, isAnalog } from './analog-device.js';
import { BlackBox } from './black-box.js';
import { seedFor } from './stage-seed.js';

/** The run options that describe the stages (shared by FF and BP presets). */
export const STAGE_KEYS = ['boxAfter', 'boxDrift', 'device', 'analogVariation', 'analogGain', 'analogMulNoise', 'analogAddNoise', 'analogWeightNoise', 'analogDrift'] as const;

/** Checkpoints from before stages existed: the defaults, which are no box and an ideal chip. */
export const BEFORE_STAGES: Pick<RunConfig, (typeof STAGE_KEYS)[number]> = Object.fromEntries(STAGE_KEYS.map((k) => [k, RUN_DEFAULTS[k]])) as Pick<RunConfig, (typeof STAGE_KEYS)[number]>;

/** What a checkpoint's state records of the stages. */
export interface StageCounters {
  steps: number;
  passes: number;
  /** The chip the device factors were saved from. */
  device: number;
}

/** One stage of the feed-forward walk, bottom-up: hidden layer `index` (0-based) or the box. */
export type FeedForwardStage = { kind: 'layer'; index: number } | { kind: 'box'; box: BlackBox };

export class NetStages {
  readonly box: BlackBox | null;
  /** The feed-forward order: hidden layers 0..L−1, the box right after the layer it follows. */
  readonly order: FeedForwardStage[];
  readonly device: AnalogDevice | null;
  /** Training steps so far (drift streams). */
  steps = 0;
  /** Training passes so far (noise streams). */
  passes = 0;
  /** Inference passes since the last `beginInference` (their own streams: predictions do not move training's). */
  private inferencePasses = 0;
  private inferring = false;
  private readonly cfgDevice: number;
  private readonly trainSeed: number;
  private readonly inferSeed: number;
  /** --dropout's p, and one seed per hidden layer. */
  readonly dropoutRate: number;
  private readonly dropoutSeeds: number[];
  /** Inside a training step (beginStep … endStep): the only time dropout acts. */
  private stepping = false;

  constructor(
    readonly engine: Engine,
    cfg: RunConfig,
    /** Widths of the hidden layers and the input size. */
    inputSize: number,
  ) {
    const L = cfg.layers.length;
    const analog = isAnalog(cfg);
    if (cfg.boxAfter > 0 || analog) {
      const what = cfg.boxAfter > 0 ? '--box-after' : 'an analog device';
      if (cfg.connectivity !== 'dense') throw new Error(`${what} needs dense hidden layers (got --connectivity ${cfg.connectivity})`);
      if ((cfg as { architecture?: string }).architecture === 'recurrent') throw new Error(`${what} needs a feed-forward net (the recurrent net has no single bottom-up order)`);
    }
    if (cfg.boxAfter > 0 && cfg.boxAfter >= L) throw new Error(`--box-after must be in 1..${L - 1} (a box between two hidden layers of the ${L}), got ${cfg.boxAfter}`);
    if (cfg.boxDrift > 0 && cfg.boxAfter === 0) throw new Error('--box-drift needs a box (--box-after)');
    this.box = cfg.boxAfter > 0 ? new BlackBox(engine, cfg.layers[cfg.boxAfter - 1], cfg.boxAfter, cfg.boxDrift, seedFor(cfg.seed, 'box'), seedFor(cfg.seed, 'box-drift')) : null;
    this.order = cfg.layers.flatMap((_, l): FeedForwardStage[] => (this.box && l === this.box.after - 1 ? [{ kind: 'layer', index: l }, { kind: 'box', box: this.box }] : [{ kind: 'layer', index: l }]));
    const fanIns = [inputSize, ...cfg.layers.slice(0, -1)];
    this.device = analog ? new AnalogDevice(engine, cfg, cfg.layers.map((w, l) => ({ rows: fanIns[l], cols: w }))) : null;
    this.cfgDevice = cfg.device;
    this.trainSeed = seedFor(cfg.seed, 'train-passes');
    this.inferSeed = seedFor(cfg.seed, 'inference-passes');
    this.dropoutRate = cfg.dropout ?? 0;
    if (!(this.dropoutRate >= 0 && this.dropoutRate < 1)) throw new Error(`--dropout must be in [0, 1), got ${cfg.dropout}`);
    // The recurrent net settles through its own updates, not the layers' feed-forward pass.
    if (this.dropoutRate > 0 && (cfg as { architecture?: string }).architecture === 'recurrent') throw new Error('--dropout needs a feed-forward net (the recurrent net settles without the layers\' forward pass)');
    this.dropoutSeeds = cfg.layers.map((_, l) => seedFor(cfg.seed, 'dropout', l));
  }

  /** Whether any stage is present (an ideal net skips every call below). */
  get any(): boolean {
    return this.box !== null || this.device !== null;
  }

  /** Whether checkpoints need the counters: a stage, or dropout's masks. */
  get counted(): boolean {
    return this.any || this.dropoutRate > 0;
  }

  /** 0-based hidden layer after which the box sits, or −1. */
  get boxAfter(): number {
    return this.box ? this.box.after - 1 : -1;
  }

  /** Predictions from here on use inference streams, restarted: the same images give the same answer. */
  beginInference(): void {
    this.inferring = true;
    this.inferencePasses = 0;
  }

  endInference(): void {
    this.inferring = false;
  }

  /** A new forward pass: its number in the current stream (training or inference). */
  beginPass(): number {
    return this.inferring ? this.inferencePasses++ : this.passes++;
  }

  /** The weights hidden layer l applies in pass `pass`: `w` itself on an ideal chip. */
  weights(l: number, w: Mat, pass: number): Mat {
    return this.device ? this.device.weights(l, w, pass, this.passSeed) : w;
  }

  /** Pass noise on hidden layer l's total inputs (before bias and ReLU), in place. */
  noise(l: number, z: Mat, pass: number): void {
    this.device?.noise(l, z, pass, this.passSeed);
  }

  /** A training step begins: its passes and gradients drop units (when --dropout > 0). */
  beginStep(): void {
    this.stepping = true;
  }

  /** After a training step: the box and the chip drift. */
  endStep(): void {
    this.box?.driftAfter(this.steps);
    this.device?.driftAfter(this.steps);
    this.steps++;
    this.stepping = false;
  }

  /**
   * Hidden layer l's dropout on m, rows of the step's rows from `firstRow` on (m·mask/(1−p) in
   * place): its output in a pass, or the gradient at that output (the same mask and scale).
   * Nothing outside a training step, or in a prediction inside one.
   */
  dropout(l: number, m: Mat, firstRow: number): void {
    if (this.dropoutRate === 0 || !this.stepping || this.inferring) return;
    this.engine.dropout(m, { rate: this.dropoutRate, seed: this.dropoutSeeds[l], stream: this.steps >>> 0, offset: firstRow * m.cols });
  }

  private get passSeed(): number {
    return this.inferring ? this.inferSeed : this.trainSeed;
  }

  counters(): StageCounters {
    return { steps: this.steps, passes: this.passes, device: this.cfgDevice };
  }

  /** The box's and the chip's state as checkpoint tensors. */
  async saveTensors(tensors: Map<string, { shape: number[]; data: Float32Array }>): Promise<void> {
    if (this.box) tensors.set('box.matrix', { shape: [this.box.width, this.box.width], data: await this.box.saveState() });
    if (this.device) {
      const shapes = this.device.shapes;
      (await this.device.saveState()).forEach((data, l) => tensors.set(`device.layer${l + 1}.factor`, { shape: [shapes[l].rows, shapes[l].cols], data }));
    }
  }

  /**
   * Restore from a checkpoint's tensors and state.stages (absent in runs without stages). A
   * config naming another chip than the one saved runs the same weights on that chip, fresh.
   */
  load(tensor: (name: string, rows: number, cols: number) => Float32Array, counters: unknown): void {
    if (!this.counted) return;
    const c = counters as Partial<StageCounters> | undefined;
    if (!c || !Number.isSafeInteger(c.steps) || !Number.isSafeInteger(c.passes) || c.steps! < 0 || c.passes! < 0) {
      throw new Error('state.stages is missing or invalid (expected {steps, passes})');
    }
    this.steps = c.steps!;
    this.passes = c.passes!;
    if (this.box) this.box.loadState(tensor('box.matrix', this.box.width, this.box.width));
    if (this.device && c.device === this.cfgDevice) this.device.loadState(this.device.shapes.map((s, l) => tensor(`device.layer${l + 1}.factor`, s.rows, s.cols)));
  }
}
