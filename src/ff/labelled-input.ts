// What the first FF layer sees: an image with a label. Two placements:
//   'pixels' — Hinton's: the label overwrites the first N pixels (always black in MNIST's
//              border, so nothing is lost there);
//   'extra'  — N label units appended after the image, for images whose every pixel carries
//              information (CIFAR-10): no pixel is overwritten.
// Optionally the image is centred first (data/centering.ts).
import { negativeUse } from './objectives/registry.js';
import type { FFConfig } from './config.js';

export const NEUTRAL = -1;

/** 'none': the image alone (the recurrent net gets its label from a clamped label layer). */
export type LabelPlacement = 'pixels' | 'extra' | 'none';

export class LabelledInput {
  /** Values per row of the net's input: the image, plus N label units when placed 'extra'. */
  readonly width: number;

  constructor(
    readonly imageSize: number,
    readonly numClasses: number,
    readonly placement: LabelPlacement,
    readonly strength: number,
    /** Per-pixel values subtracted from every image (null: none). */
    readonly mean: Float32Array | null,
  ) {
    if (placement === 'pixels' && numClasses > imageSize) throw new Error(`cannot embed ${numClasses} labels in ${imageSize} input pixels`);
    if (mean && mean.length !== imageSize) throw new Error(`input mean has ${mean.length} values for ${imageSize}-value images`);
    this.width = placement === 'extra' ? imageSize + numClasses : imageSize;
  }

  /** Offset of the label units within a row. */
  get labelOffset(): number {
    return this.placement === 'extra' ? this.imageSize : 0;
  }

  /** Row `row` of `dst` ← image `index` of `images` with `label` (NEUTRAL → strength/N on every label unit). */
  write(dst: Float32Array, row: number, images: Float32Array, index: number, label: number): void {
    const D = this.imageSize;
    const o = row * this.width;
    const src = images.subarray(index * D, (index + 1) * D);
    if (this.mean) {
      const m = this.mean;
      for (let p = 0; p < D; p++) dst[o + p] = src[p] - m[p];
    } else {
      dst.set(src, o);
    }
    if (this.placement === 'none') return;
    const l = o + this.labelOffset;
    const N = this.numClasses;
    if (label === NEUTRAL) {
      dst.fill(this.strength / N, l, l + N);
    } else {
      dst.fill(0, l, l + N);
      dst[l + label] = this.strength;
    }
  }
}

/**
 * The recurrent net and unsupervised (hybrid-negative) runs: no label in the input. Otherwise
 * 'auto' → Hinton's label pixels for one-channel images (MNIST's black border), extra units
 * for colour images and for locally-connected and grid nets (label pixels in a corner of the map would
 * reach only the units whose window covers that corner; extra units reach every unit through
 * their own dense connection, see ff-net.ts).
 */
export function resolveLabelPlacement(cfg: Pick<FFConfig, 'labelInput'> & Partial<Pick<FFConfig, 'architecture' | 'negativeData' | 'connectivity' | 'loss'>>, channels: number): LabelPlacement {
  if (cfg.architecture === 'recurrent' || cfg.negativeData === 'hybrid') return 'none';
  // An objective that learns without negatives reads the label beside the rows, never in them.
  if (cfg.loss !== undefined && negativeUse(cfg.loss) === 'none') {
    if (cfg.labelInput !== 'auto') throw new Error(`--loss ${cfg.loss} reads no label in the input: drop --label-input ${cfg.labelInput}`);
    return 'none';
  }
  if (cfg.labelInput !== 'auto') return cfg.labelInput;
  const connectivity = cfg.connectivity ?? 'dense';
  // A conv layer has no dense connection for extra units: the label goes over the first pixels.
  if (connectivity === 'conv') return 'pixels';
  return channels === 1 && connectivity === 'dense' ? 'pixels' : 'extra';
}
