// forward-forward without Node: what a browser page (or a worker) needs to build, train, save
// and load a model. Nothing here imports a Node module or uses Buffer, process or setImmediate
// (test/train/node-free-core.test.ts proves it). The caller picks the engine (WasmEngine, or the
// JsEngine reference where WebAssembly SIMD is missing) and the
// run store (MemoryRunStore, or its own); index.ts adds run directories, datasets on disk and
// the native engine.
export type { Engine, Mat } from './engine/engine.js';
export { JsEngine } from './engine/js-backend.js';
export { WasmEngine, wasmSimdSupported } from './engine/wasm-backend.js';
export { WebGpuEngine } from './engine/webgpu-backend.js';
export { WORKER_SOURCE, type SpawnWorker, type SpawnedWorker, type WorkerStart } from './engine/wasm-threads.js';
export { Rng } from './engine/rng.js';
export type { ImageSet, DatasetSplits } from './data/dataset.js';
export { subset } from './data/dataset.js';
export { FF_DEFAULTS, type FFConfig } from './ff/config.js';
export { FFModel, createFFModel } from './ff/ff-model.js';
export { FFNet } from './ff/ff-net.js';
export { ffTrainStep } from './ff/ff-step.js';
export { classify, softmaxScores, CLASSIFY_MODES, type ClassifyMode } from './ff/classify.js';
export { labelGoodness, type LabelGoodness } from './ff/label-goodness.js';
export { layerActivities } from './ff/activities.js';
export { decodeSamplePack, encodeSamplePack, type SamplePack } from './data/sample-pack.js';
export { blurredMask, makeHybrids, pickPartners, type Hybrids } from './ff/hybrid-negatives.js';
export { negativeSourceFor, type NegativeCases, type NegativeSource } from './ff/negative-source.js';
export { rowLayout, labelledLayout, pairLayout, type RowLayout, type RowRange } from './ff/row-layout.js';
export { learnFromInputRows, learnFromRows } from './ff/learn-from-rows.js';
export { generateContinuations, shiftStrip, sleepPhase, type GeneratedWindows } from './ff/sleep-phase.js';
export { probeErrorRates, refitProbes, type RefitOptions, type RefitProbes } from './ff/probe-refit.js';
export { algorithmNames, getAlgorithm } from './experiments/algorithms.js';
export { train, TrainingSession, type EpochMetrics, type StepResult, type TrainCallbacks, type TrainOptions, type TrainResult } from './train/training-loop.js';
export { readMetricsLog, truncateMetricsLog, METRICS_FILE } from './train/metrics-log.js';
export { evaluate, type Evaluation } from './train/evaluate.js';
export { PRESETS, getPreset } from './experiments/presets.js';
export {
  CHECKPOINT_FILE,
  checkpointWarnings,
  decodeCheckpoint,
  encodeCheckpoint,
  readCheckpoint,
  writeCheckpoint,
  type Checkpoint,
} from './train/checkpoint-format.js';
export type { RunStore } from './train/run-store.js';
export { MemoryRunStore } from './train/memory-run-store.js';
export type { TrainableModel } from './train/model.js';
export { yieldToEventLoop } from './util/yield-to-event-loop.js';
