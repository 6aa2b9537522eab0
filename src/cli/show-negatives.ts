// `ff show-negatives RUN | --dataset D`: a PNG of the hybrid negatives unsupervised FF trains
// on (SPEC §3) — per row image a, image b, the mask and the hybrid a·mask + b·(1 − mask).
// The images are drawn at random from the training set and the masks from a fresh RNG seeded
// with --seed (default: the run's seed), so the picture is reproducible and reading a run
// never touches its training state.
import path from 'node:path';
import type { Command } from 'commander';
import { imageSize } from '../data/dataset.js';
import { loadDataset } from '../data/registry.js';
import { Rng } from '../engine/rng.js';
import { FF_DEFAULTS } from '../ff/config.js';
import { makeHybrids } from '../ff/hybrid-negatives.js';
import { loadCheckpoint } from '../train/checkpoint.js';
import { assertWritableTarget, writeFileAtomic } from '../util/atomic-write.js';
import { renderNegatives } from '../viz/negatives.js';
import { parseIntOption } from './int-option.js';

interface ShowNegativesOptions {
  dataset?: string;
  pairs: string;
  passes?: string;
  seed?: string;
  scale: string;
  out: string;
  dataDir?: string;
}

export function registerShowNegativesCommand(program: Command): void {
  program
    .command('show-negatives')
    .description('draw hybrid negatives of unsupervised FF as a PNG grid: image a, image b, mask, hybrid')
    .argument('[dir]', 'run directory (its dataset, blur passes and seed)')
    .option('--dataset <name>', 'instead of a run: mnist, fashion-mnist or cifar-10')
    .option('--pairs <n>', 'hybrids to draw (rows)', '8')
    .option('--passes <n>', `blur passes of the mask (default: the run's, else ${FF_DEFAULTS.blurPasses})`)
    .option('--seed <n>', "seed of the images and masks (default: the run's, else 1)")
    .option('--scale <k>', 'pixels per image pixel', '3')
    .option('--out <file>', 'PNG file to write', 'negatives.png')
    .option('--data-dir <dir>', 'where dataset files are (env FF_DATA_DIR)')
    .action(async (dir: string | undefined, o: ShowNegativesOptions) => {
      process.stdout.write(`${await showNegatives(dir, o)}\n`);
    });
}

export async function showNegatives(dir: string | undefined, o: ShowNegativesOptions): Promise<string> {
  if ((dir === undefined) === (o.dataset === undefined)) throw new Error('show-negatives: give a run directory or --dataset NAME (one of the two)');
  const pairs = parseIntOption('--pairs', o.pairs, 2, 1000);
  const scale = parseIntOption('--scale', o.scale, 1, 16);
  assertWritableTarget(path.resolve(o.out)); // before the dataset is read
  let config: Record<string, unknown> = {};
  if (dir !== undefined) {
    const ck = loadCheckpoint(dir);
    config = ck.config;
    const notice = hybridsUnused(dir, ck.algo, config);
    if (notice) process.stderr.write(`ff: note: ${notice}\n`);
  }
  const dataset = o.dataset ?? String(config.dataset ?? FF_DEFAULTS.dataset);
  const passes = o.passes !== undefined ? parseIntOption('--passes', o.passes, 0, 1000) : Number(config.blurPasses ?? FF_DEFAULTS.blurPasses);
  const seed = o.seed !== undefined ? parseIntOption('--seed', o.seed, 0) : Number(config.seed ?? 1);
  const data = await loadDataset(dataset, { dataDir: o.dataDir });
  const set = data.train;
  if (set.count < pairs) throw new Error(`--pairs ${pairs}: the ${data.name} training set has only ${set.count} images`);
  const rng = new Rng(seed);
  // Distinct random training images; each is mixed with another of them.
  const order = rng.shuffle(Int32Array.from({ length: set.count }, (_, i) => i)).subarray(0, pairs);
  const D = imageSize(set);
  const images = new Float32Array(pairs * D);
  order.forEach((idx, i) => images.set(set.images.subarray(idx * D, (idx + 1) * D), i * D));
  const shape = { height: set.height, width: set.width, channels: set.channels };
  const hybrids = makeHybrids(images, pairs, shape, passes, rng);
  const { png, raster } = renderNegatives(images, hybrids, pairs, shape, scale);
  writeFileAtomic(path.resolve(o.out), png);
  let ones = 0;
  for (let i = 0; i < pairs * set.height * set.width; i++) ones += hybrids.masks[i];
  const share = (100 * ones) / (pairs * set.height * set.width);
  return `wrote ${o.out}: ${pairs} hybrids of ${data.name} training images (columns: a, b, mask, hybrid), ${passes} blur passes, seed ${seed}, mask ${share.toFixed(0)} % ones, ${raster.width}×${raster.height} px`;
}

/**
 * For a run that never trained on hybrids, what it used instead. A notice rather than a
 * refusal: the picture is still what an unsupervised run with these settings would train on
 * (a fair thing to want beside a supervised run), but without the note it reads as the run's
 * own negatives.
 */
function hybridsUnused(dir: string, algo: string, config: Record<string, unknown>): string | undefined {
  const would = 'these are the hybrids an unsupervised run (--negative-data hybrid) with its seed and blur passes would use';
  if (algo !== 'ff') return `${dir} is a ${algo === 'bp' ? 'backprop' : algo} run, which uses no negative data; ${would}`;
  const negatives = String(config.negativeData ?? FF_DEFAULTS.negativeData);
  if (negatives === 'hybrid') return undefined;
  const how = negatives === 'wrong-label' ? 'wrong-label negatives (each image with a wrong label)' : `${negatives} negatives`;
  return `${dir} trained with ${how}, not hybrids; ${would}`;
}
