// The image shape a checkpoint's first layer reads, and the grey behind drawn fields: what
// every field drawing needs, with no Node module (the browser explorer draws with it too).
import type { Checkpoint } from '../train/checkpoint-format.js';
import type { Rgb } from './colormap.js';

/** Background, gaps and blanked label pixels. */
export const GAP_COLOR: Rgb = [150, 150, 150];

export interface InputShape {
  height: number;
  width: number;
  channels: number;
  numClasses: number;
}

const DATASET_SHAPES: Record<string, InputShape> = {
  mnist: { height: 28, width: 28, channels: 1, numClasses: 10 },
  'fashion-mnist': { height: 28, width: 28, channels: 1, numClasses: 10 },
  'cifar-10': { height: 32, width: 32, channels: 3, numClasses: 10 },
};

/** The image shape a checkpoint's model reads: its saved state, else its dataset's. */
export function checkpointInputShape(ck: Checkpoint): InputShape | null {
  const st = ck.state.shape as Partial<InputShape> | undefined;
  if (st && [st.height, st.width, st.channels, st.numClasses].every((v) => Number.isInteger(v) && (v as number) > 0)) {
    return st as InputShape;
  }
  const name = String(ck.config.dataset ?? ck.state.dataset ?? '');
  return DATASET_SHAPES[name] ?? null;
}
