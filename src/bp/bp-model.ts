// The backprop baseline as a trainable model: the MLP plus its schedule, statistics
// and checkpoint (de)serialisation, driven by the same training loop as FF.
import { channelMeanImage, INPUT_MEAN_TENSOR, resolveCentering } from '../data/centering.js';
import type { DatasetSplits } from '../data/dataset.js';
import type { Engine } from '../engine/engine.js';
import type { InputShape } from '../ff/ff-model.js';
import { BEFORE_LOCAL_MAPS } from '../train/local-maps.js';
import type { Checkpoint } from '../train/checkpoint-format.js';
import { checkImages } from '../train/api-checks.js';
import { checkCheckpoint } from '../train/checkpoint-check.js';
import { netCheckpoint, rms, tensorData, tensorsToParams } from '../train/param-io.js';
import type { TrainableModel, TrainBatch } from '../train/model.js';
import { scheduleGain } from '../train/optimizer.js';
import { BPNet } from './bp-net.js';
import { BP_DEFAULTS, BP_OPTION_SPECS, type BPConfig } from './config.js';
import { BEFORE_STAGES } from '../stages/net-stages.js';
import { BEFORE_CROP_FLIP_COSINE, BEFORE_REGULARISATION } from '../train/run-config.js';
import { netSpecFor } from '../stages/net-spec.js';

/** Checkpoints from before conv nets: no GroupNorm between layers (dense nets ignore norm). */
const BEFORE_CONV: Pick<BPConfig, 'norm' | 'normGroups'> = { norm: 'rms', normGroups: 1 };

/** Images per forward pass when predicting. */
const CHUNK = 500;

export const BP_CLASSIFIERS = ['output'] as const;

export class BPModel implements TrainableModel {
  readonly algo = 'bp';
  readonly net: BPNet;
  readonly classifiers = BP_CLASSIFIERS;
  readonly validationModes = BP_CLASSIFIERS;
  private cases = 0;
  private lossSum = 0;
  private errors = 0;

  constructor(
    readonly engine: Engine,
    readonly cfg: BPConfig,
    readonly shape: InputShape,
    inputMean?: Float32Array,
  ) {
    const centred = resolveCentering(cfg.center, shape.channels);
    if (centred && !inputMean) throw new Error("this config centres the images: pass the training set's channelMeanImage (createBPModel does)");
    const D = shape.height * shape.width * shape.channels;
    this.net = new BPNet(engine, cfg, D, shape.numClasses, centred ? inputMean! : null, netSpecFor(cfg, shape));
  }

  get rng() {
    return this.net.rng;
  }
  get totalEpochs() {
    return this.cfg.epochs;
  }

  beginEpoch(): void {}

  gainAt(epoch: number, f: number): number {
    return scheduleGain(this.cfg.schedule, (epoch - 1 + f) / this.cfg.epochs, this.cfg.lrFloor);
  }

  async trainBatch(batch: TrainBatch, gain: number): Promise<void> {
    const { count, labels } = batch;
    const N = this.net.numClasses;
    const ws = this.net.workspace(this.cfg.batchSize);
    const probs = await this.net.backward(ws, batch.images, labels, count);
    this.net.step(this.cfg.lr * gain, count);
    this.net.stages.endStep();
    for (let i = 0; i < count; i++) {
      const o = i * N;
      this.lossSum += -Math.log(1e-30 + probs[o + labels[i]]);
      let best = 0;
      for (let j = 1; j < N; j++) if (probs[o + j] > probs[o + best]) best = j;
      if (best !== labels[i]) this.errors++;
    }
    this.cases += count;
  }

  async endEpoch(): Promise<Record<string, number | number[]>> {
    const n = Math.max(1, this.cases);
    const out: Record<string, number | number[]> = {
      trainLoss: this.lossSum / n,
      trainError: this.errors / n,
      weightRms: await Promise.all(this.net.weights.map(async (w) => rms(await this.engine.read(w.value)))),
    };
    // How well a learned twin of the black box fits it (on the epoch's last minibatch).
    if (this.net.boxModelError !== null) out.boxModelError = this.net.boxModelError;
    this.cases = 0;
    this.lossSum = 0;
    this.errors = 0;
    return out;
  }

  /** Softmax probabilities (count × N) and the argmax labels. */
  async predict(images: Float32Array, count: number, mode: string = 'output'): Promise<{ predictions: Uint8Array; scores: Float32Array }> {
    if (mode !== 'output') throw new Error(`unknown mode '${mode}' for a BP model (choose ${BP_CLASSIFIERS.join(', ')})`);
    const N = this.net.numClasses;
    const D = this.net.inputSize;
    checkImages(images, count, D, 'predict');
    const scores = new Float32Array(count * N);
    const ws = this.net.workspace(Math.min(CHUNK, Math.max(1, count)));
    // On a noisy chip every call draws the same inference noise (and leaves training's alone).
    this.net.stages.beginInference();
    try {
      for (let start = 0; start < count; start += ws.rows) {
        const c = Math.min(ws.rows, count - start);
        this.net.forward(ws, images.subarray(start * D, (start + c) * D), c);
        scores.set(await this.engine.read(this.engine.rowView(ws.out, 0, c)), start * N);
      }
    } finally {
      this.net.stages.endInference();
    }
    const predictions = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      let best = 0;
      for (let j = 1; j < N; j++) if (scores[i * N + j] > scores[i * N + best]) best = j;
      predictions[i] = best;
    }
    return { predictions, scores };
  }

  async toCheckpoint(): Promise<Checkpoint> {
    return netCheckpoint(this.engine, this, this.net, async (tensors) => {
      const mean = this.net.inputMean;
      if (mean) tensors.set(INPUT_MEAN_TENSOR, { shape: [1, mean.length], data: mean });
      if (this.net.stages.any) await this.net.saveStageTensors(tensors);
    });
  }

  /** Rebuild a model from a checkpoint (weights, optimizer state, RNG). */
  static fromCheckpoint(engine: Engine, ck: Checkpoint): BPModel {
    // Checkpoints from before centring existed were never centred; from before the text split trained on the paper's strings.
    const { config, shape, rng, adamSteps } = checkCheckpoint<BPConfig>(ck, 'bp', BP_OPTION_SPECS, { center: 'none', ...BEFORE_LOCAL_MAPS, ...BEFORE_STAGES, boxModel: BP_DEFAULTS.boxModel, boxModelLr: BP_DEFAULTS.boxModelLr, textSplit: 'paper', ...BEFORE_CROP_FLIP_COSINE, ...BEFORE_REGULARISATION, ...BEFORE_CONV });
    const D = shape.height * shape.width * shape.channels;
    const mean = resolveCentering(config.center, shape.channels) ? tensorData(ck, INPUT_MEAN_TENSOR, 1, D) : undefined;
    const model = new BPModel(engine, config, shape, mean);
    tensorsToParams(engine, model.net.params(), ck, adamSteps);
    model.net.rng.setState(rng);
    model.net.loadStageTensors((name, rows, cols) => tensorData(ck, name, rows, cols), ck.state.stages);
    return model;
  }
}

/** An untrained BP model sized for `data`, with the images' channel means when the config centres them. */
export function createBPModel(engine: Engine, cfg: BPConfig, data: DatasetSplits): BPModel {
  const shape = { height: data.train.height, width: data.train.width, channels: data.train.channels, numClasses: data.numClasses };
  const mean = resolveCentering(cfg.center, shape.channels) ? channelMeanImage(data.train) : undefined;
  return new BPModel(engine, cfg, shape, mean);
}
