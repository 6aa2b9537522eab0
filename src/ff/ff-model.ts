// FF (supervised, or unsupervised with hybrid negatives) as a trainable model: the FF net plus
// its schedule, statistics and checkpoint (de)serialisation. The training loop in
// train/trainer.ts drives it.
import type { DatasetSplits, ImageSet } from '../data/dataset.js';
import type { Engine } from '../engine/engine.js';
import type { Checkpoint } from '../train/checkpoint-format.js';
import { checkConfigValues, checkDataShape } from '../train/api-checks.js';
import { checkCheckpoint } from '../train/checkpoint-check.js';
import { netCheckpoint, rms, tensorData, tensorsToParams } from '../train/param-io.js';
import type { TrainableModel, TrainBatch } from '../train/model.js';
import { FF_OPTION_SPECS } from './options.js';
import { BEFORE_CROP_FLIP_COSINE, BEFORE_REGULARISATION, type InputShape } from '../train/run-config.js';
import { scheduleGain } from '../train/optimizer.js';
import { acceptsMode, classifiersOf, classify, type ClassifyMode, type Scores } from './classify.js';
import { FF_DEFAULTS, type FFConfig } from './config.js';
import { FFNet } from './ff-net.js';
import { emptyStats, readEpochSums, type FFEpochStats } from './epoch-tally.js';
import { channelMeanImage, INPUT_MEAN_TENSOR, resolveCentering } from '../data/centering.js';
import { scoresClassesPerLayer } from './group-classifier.js';
import { LabelledInput, resolveLabelPlacement } from './labelled-input.js';
import { negativeUse } from './objectives/registry.js';
import { sequenceProblem, sleepPhase } from './sleep-phase.js';
import { BEFORE_LOCAL_MAPS } from '../train/local-maps.js';
import { BEFORE_STAGES } from '../stages/net-stages.js';

/**
 * Checkpoints from before the label-input, centring and recurrent options: label pixels, no
 * centring, feed-forward (the recurrent settings are then unused; their defaults fill in).
 */
const BEFORE_INPUT_OPTIONS: Partial<FFConfig> = {
  labelInput: 'pixels',
  center: 'none',
  architecture: 'feedforward',
  ...Object.fromEntries((['iterations', 'damping', 'lateral', 'gradientFrom', 'testFrom', 'testTo'] as const).map((k) => [k, FF_DEFAULTS[k]])),
};

/** Options newer than some checkpoints, with the values that reproduce runs from before them. */
const BEFORE_HYBRID_NEGATIVES: Partial<FFConfig> = { negativeData: 'wrong-label', blurPasses: FF_DEFAULTS.blurPasses, probeLayers: null };
/** Before self-generated negatives existed nothing slept; one cycle is the value that changes nothing. */
const BEFORE_SLEEP_CYCLES: Partial<FFConfig> = { sleepCycles: 1 };
/** Before the whole-book text split every run trained on the paper's strings. */
const BEFORE_TEXT_SPLIT: Partial<FFConfig> = { textSplit: 'paper' };
/** Before conv nets there was no GroupNorm. */
const BEFORE_CONV: Partial<FFConfig> = { normGroups: 1 };

/** Unsupervised runs have no label input and a feed-forward net (one line otherwise). */
function checkUnsupervisedConfig(cfg: FFConfig): void {
  if (cfg.negativeData !== 'hybrid') return;
  if (cfg.architecture === 'recurrent') throw new Error('hybrid negatives train the feed-forward net (the recurrent net needs labels for its label layer)');
  if (cfg.labelInput !== 'auto') throw new Error(`--label-input ${cfg.labelInput}: a run with hybrid negatives has no label input`);
  if (cfg.batchSize < 2) throw new Error('hybrid negatives mix two images of a minibatch: --batch-size must be at least 2');
}

/** The recurrent options must describe a run that can happen (one line otherwise). */
function checkRecurrentConfig(cfg: FFConfig): void {
  if (cfg.architecture !== 'recurrent') return;
  const it = cfg.iterations;
  if (cfg.trainMode === 'greedy') throw new Error('the recurrent net trains all layers together (--train-mode greedy is for feed-forward nets)');
  if (!(cfg.gradientFrom >= 1 && cfg.gradientFrom <= it)) throw new Error(`--gradient-from must be in 1..${it} (the iterations), got ${cfg.gradientFrom}`);
  checkTestWindow(cfg.testFrom, cfg.testTo, it, 'the iterations');
}

/** The goodness classifier's window of iterations must lie within the run's (one line otherwise). */
export function checkTestWindow(testFrom: number, testTo: number, iterations: number, what: string): void {
  if (!(testFrom >= 1 && testFrom <= testTo && testTo <= iterations)) {
    throw new Error(`--test-from/--test-to must satisfy 1 ≤ from ≤ to ≤ ${iterations} (${what}), got ${testFrom}..${testTo}`);
  }
}

/** Self-generated negatives: a feed-forward net trained on all layers at once (one line otherwise). */
function checkSleepConfig(cfg: FFConfig): void {
  if (cfg.negatives !== 'self-generated' || cfg.negativeData === 'hybrid') return;
  if (cfg.architecture === 'recurrent') throw new Error('self-generated negatives (a sleep phase) train the feed-forward net');
  if (cfg.trainMode === 'greedy') throw new Error('self-generated negatives train all layers together (--train-mode greedy is not for a sleep phase)');
  if (negativeUse(cfg.loss) === 'paired') throw new Error(`--loss ${cfg.loss} needs positive and negative pairs; a sleep phase learns from negatives alone`);
}

export type { InputShape };

export class FFModel implements TrainableModel {
  readonly algo = 'ff';
  readonly net: FFNet;
  private stats: FFEpochStats;
  private phase: number | undefined;

  /**
   * `inputMean`: per-pixel values to subtract from images, required when the config centres
   * them (colour images by default): channelMeanImage(training set), as createFF does.
   */
  constructor(
    readonly engine: Engine,
    readonly cfg: FFConfig,
    readonly shape: InputShape,
    inputMean?: Float32Array,
  ) {
    const D = shape.height * shape.width * shape.channels;
    const centred = resolveCentering(cfg.center, shape.channels);
    if (centred && !inputMean) throw new Error("this config centres the images: pass the training set's channelMeanImage (createFF does)");
    checkRecurrentConfig(cfg);
    checkUnsupervisedConfig(cfg);
    checkSleepConfig(cfg);
    const placement = resolveLabelPlacement(cfg, shape.channels);
    const input = new LabelledInput(D, shape.numClasses, placement, cfg.labelStrength, centred ? inputMean! : null);
    this.net = new FFNet(engine, cfg, input, { height: shape.height, width: shape.width, channels: shape.channels });
    this.classifiers = classifiersOf(this.net);
    // Supervised: the two cheap classifiers; unsupervised: every probe (they share one pass).
    // Layers that score classes: their sum and each layer alone (one pass for all of them).
    this.validationModes = this.net.heads.kind === 'probes' || scoresClassesPerLayer(this.net) ? this.classifiers : ['softmax', 'goodness'];
    this.stats = this.emptyStats();
  }

  get rng() {
    return this.net.rng;
  }
  get totalEpochs() {
    return this.cfg.trainMode === 'greedy' ? this.cfg.epochs * this.cfg.layers.length : this.cfg.epochs;
  }

  beginEpoch(epoch: number): void {
    // Greedy: layer k trains alone for E epochs, with its own schedule.
    if (this.cfg.trainMode === 'greedy') this.phase = Math.floor((epoch - 1) / this.cfg.epochs);
  }

  gainAt(epoch: number, f: number): number {
    const E = this.cfg.epochs;
    const done = this.cfg.trainMode === 'greedy' ? (epoch - 1) % E : epoch - 1;
    return scheduleGain(this.cfg.schedule, (done + f) / E, this.cfg.lrFloor);
  }

  /**
   * After minibatch `batch` of `batches`: a sleep phase when the negatives are self-generated
   * and a wake cycle ends there (cfg.sleepCycles per epoch). It sleeps on about as many
   * generated windows as the cycle woke on: continuations of that many strings, drawn at random
   * (all of them, in order, for one cycle per epoch).
   */
  async sleepPhase(train: ImageSet, gain: number, batch: number, batches: number): Promise<void> {
    if (!this.net.negatives.offline) return;
    const every = Math.ceil(batches / this.cfg.sleepCycles);
    if (batch % every !== 0 && batch !== batches) return;
    const woke = batch - Math.floor((batch - 1) / every) * every;
    const strings = train.sequenceStarts!.length;
    const share = batch === batches && every >= batches ? strings : Math.min(strings, Math.ceil((strings * woke) / batches));
    await sleepPhase(this.net, train, gain, this.stats, 1, share);
  }

  async trainBatch(batch: TrainBatch, gain: number): Promise<void> {
    this.net.dynamics.trainStep(batch, gain, this.stats, this.phase);
    this.net.stages.endStep();
  }

  async endEpoch(): Promise<Record<string, number | number[] | number[][]>> {
    // The epoch's sums: the one read of them (epoch-tally.ts).
    const s = await readEpochSums(this.engine, this.stats);
    const n = Math.max(1, s.cases);
    this.stats = this.emptyStats();
    // Unsupervised runs: the online head is the probe (linear-probe.ts).
    const head = this.net.heads.epochRecord(s, n);
    // Layers that score classes: their training errors (as fractions), and a head only if asked for.
    const perLayer = scoresClassesPerLayer(this.net);
    const out: Record<string, number | number[] | number[][]> = {
      ffLoss: s.ffLoss.map((x) => x / n),
      ...(perLayer ? { layerTrainError: s.pairErrors.map((x) => x / n) } : { pairErrors: s.pairErrors }),
      ...(perLayer && this.net.softmaxLayers.length === 0 ? {} : head),
      weightRms: await Promise.all(this.net.weights.map(async (w) => rms(await this.engine.read(w.value)))),
    };
    if (this.phase !== undefined) out.layerTraining = this.phase + 1;
    // Recurrent: per iteration and layer, how settling helps.
    return Object.assign(out, this.net.dynamics.epochRecord(s, n));
  }

  /** An epoch's sums, all 0, on the engine. */
  private emptyStats(): FFEpochStats {
    return emptyStats(this.engine, this.cfg.layers.length, this.net.dynamics.talliedIterations);
  }

  readonly classifiers: readonly string[];
  readonly validationModes: readonly string[];

  /** Scores of a classifier; on a noisy chip every call draws the same inference noise. */
  async classify(images: Float32Array, count: number, mode: ClassifyMode, k?: number): Promise<Scores> {
    const st = this.net.stages;
    st.beginInference();
    try {
      return await classify(this.net, images, count, mode, k);
    } finally {
      st.endInference();
    }
  }

  predict(images: Float32Array, count: number, mode: string, k?: number): Promise<Scores> {
    if (!acceptsMode(this.net, mode)) {
      throw new Error(`unknown mode '${mode}' for ${this.net.heads.kind === 'probes' ? 'an unsupervised' : 'an'} FF model (choose ${this.classifiers.join(', ')})`);
    }
    return this.classify(images, count, mode as ClassifyMode, k);
  }

  async toCheckpoint(): Promise<Checkpoint> {
    return netCheckpoint(this.engine, this, this.net, async (tensors) => {
      const means = await Promise.all(this.net.peerMeans.map((m) => this.engine.read(m)));
      means.forEach((m, l) => tensors.set(`layer${l + 1}.peer_mean`, { shape: [1, m.length], data: m }));
      const mean = this.net.input.mean;
      if (mean) tensors.set(INPUT_MEAN_TENSOR, { shape: [1, mean.length], data: mean });
      if (this.net.stages.any) await this.net.stages.saveTensors(tensors);
    });
  }

  /** Rebuild a model from a checkpoint (weights, optimizer state, peer means, RNG). */
  static fromCheckpoint(engine: Engine, ck: Checkpoint): FFModel {
    const { config, shape, rng, adamSteps } = checkCheckpoint<FFConfig>(ck, 'ff', FF_OPTION_SPECS, { ...BEFORE_INPUT_OPTIONS, ...BEFORE_HYBRID_NEGATIVES, ...BEFORE_LOCAL_MAPS, ...BEFORE_SLEEP_CYCLES, ...BEFORE_STAGES, ...BEFORE_TEXT_SPLIT, ...BEFORE_CROP_FLIP_COSINE, ...BEFORE_REGULARISATION, ...BEFORE_CONV });
    const D = shape.height * shape.width * shape.channels;
    const mean = resolveCentering(config.center, shape.channels) ? tensorData(ck, INPUT_MEAN_TENSOR, 1, D) : undefined;
    const model = new FFModel(engine, config, shape, mean);
    tensorsToParams(engine, model.net.params(), ck, adamSteps);
    model.net.peerMeans.forEach((m, l) => engine.write(m, tensorData(ck, `layer${l + 1}.peer_mean`, 1, m.cols)));
    model.net.rng.setState(rng);
    model.net.stages.load((name, rows, cols) => tensorData(ck, name, rows, cols), ck.state.stages);
    return model;
  }
}

/** An untrained FF model sized for `data`, with the images' channel means when the config centres them. */
export function createFFModel(engine: Engine, cfg: FFConfig, data: DatasetSplits): FFModel {
  // The library's entry point: the same option table and ranges as `ff train` (api-checks.ts).
  checkConfigValues(cfg as unknown as Record<string, unknown>, FF_OPTION_SPECS, 'FF config');
  checkDataShape(data, 'createFFModel');
  const shape = { height: data.train.height, width: data.train.width, channels: data.train.channels, numClasses: data.numClasses };
  const mean = resolveCentering(cfg.center, shape.channels) ? channelMeanImage(data.train) : undefined;
  const model = new FFModel(engine, cfg, shape, mean);
  // Before the first epoch, not after it: the sleep phase needs strings to continue.
  const why = model.net.negatives.offline ? sequenceProblem(data.train) : undefined;
  if (why) throw new Error(`${why}; ${data.name} has none`);
  return model;
}
