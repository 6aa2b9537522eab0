// Parameters and optimizer state to and from checkpoint tensors, shared by every model.
import type { Engine } from '../engine/engine.js';
import type { Checkpoint } from './checkpoint-format.js';
import type { Param } from './optimizer.js';

/** `name` for each value, `name.optK` for its optimizer state; Adam step counts go in state. */
export async function paramsToTensors(engine: Engine, params: Param[], tensors: Checkpoint['tensors']): Promise<Record<string, number>> {
  for (const p of params) {
    tensors.set(p.name, { shape: [p.value.rows, p.value.cols], data: await engine.read(p.value) });
    for (let i = 0; i < p.state.length; i++) {
      const s = p.state[i];
      tensors.set(`${p.name}.opt${i}`, { shape: [s.rows, s.cols], data: await engine.read(s) });
    }
  }
  return Object.fromEntries(params.map((p) => [p.name, p.steps]));
}

/** What a model's checkpoint needs from its net (FF and BP nets alike). */
export interface CheckpointedNet {
  params(): Param[];
  readonly rng: { getState(): unknown };
  readonly stages: { readonly counted: boolean; counters(): unknown };
}

/**
 * A model's checkpoint: the net's parameters with their optimizer state, then the model's own
 * tensors (`addTensors`: peer means, input mean, stage state), and as state the input shape,
 * RNG, Adam step counts and stage counters. The config is copied (a later change to the
 * model's config cannot alter a checkpoint taken before it).
 */
export async function netCheckpoint(
  engine: Engine,
  model: { algo: string; cfg: object; shape: unknown },
  net: CheckpointedNet,
  addTensors: (tensors: Checkpoint['tensors']) => Promise<void>,
): Promise<Checkpoint> {
  const tensors: Checkpoint['tensors'] = new Map();
  const adamSteps = await paramsToTensors(engine, net.params(), tensors);
  await addTensors(tensors);
  const stages = net.stages.counted ? { stages: net.stages.counters() } : {};
  return {
    algo: model.algo,
    config: { ...model.cfg } as Record<string, unknown>,
    state: { shape: model.shape, rng: net.rng.getState(), adamSteps, ...stages },
    tensors,
  };
}

/**
 * A checkpoint tensor of shape [rows, cols], or a one-line error naming it and both shapes
 * (the element count alone would let a transposed matrix through). A 1×n row may also be a
 * plain vector [n], as other tools (PyTorch) keep biases.
 */
export function tensorData(ck: Checkpoint, name: string, rows: number, cols: number): Float32Array {
  const where = ck.source ?? 'checkpoint';
  const t = ck.tensors.get(name);
  if (!t) throw new Error(`${where}: tensor ${name} is missing (expected shape [${rows},${cols}])`);
  const s = t.shape;
  const fits = (s.length === 2 && s[0] === rows && s[1] === cols) || (rows === 1 && s.length === 1 && s[0] === cols);
  if (!fits || t.data.length !== rows * cols) {
    throw new Error(`${where}: tensor ${name} has shape [${s.join(',')}], expected [${rows},${cols}]`);
  }
  return t.data;
}

export function tensorsToParams(engine: Engine, params: Param[], ck: Checkpoint, adamSteps: Record<string, number> | undefined): void {
  for (const p of params) {
    engine.write(p.value, tensorData(ck, p.name, p.value.rows, p.value.cols));
    p.state.forEach((s, i) => engine.write(s, tensorData(ck, `${p.name}.opt${i}`, s.rows, s.cols)));
    p.steps = adamSteps?.[p.name] ?? 0;
  }
}

export function rms(d: Float32Array): number {
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i] * d[i];
  return Math.sqrt(s / Math.max(1, d.length));
}
