// `ff data …`: inspect, verify and download the datasets.
//   ff data list
//   ff data info <name> [--data-dir D] [--train-on-all]   (also aesop, the text of SPEC §6)
//   ff data info aesop [--text-split paper|book] [--baselines]   (n-gram baselines, orders 1–8)
//   ff data verify <name> [--dir D]
//   ff data download <name> [--dir D] [--force]
// --data-dir / --dir follow the registry's rule: D/<name> if that folder exists, else D
// (default $FF_DATA_DIR, then the dataset's usual place). A download without --dir goes to
// $FF_DATA_DIR/<name>, else to the per-user data cache, where every loader looks by default.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { imageSize, type ImageSet } from '../data/dataset.js';
import { DATASET_NAMES, datasetDir, loadDataset, parseDatasetName } from '../data/registry.js';
import { assertVerified, downloadDataset, verifyDataset } from '../data/download.js';
import { makeDir } from '../util/make-dir.js';
import { cachedDatasetDir } from '../data/data-home.js';
import { AESOP_FILE, AESOP_NAME, aesopDir, loadAesop } from '../data/aesop.js';
import { TEXT_SYMBOLS } from '../data/text-alphabet.js';
import { TEXT_SPLITS, trainingStrings, type TextSplit } from '../data/book-strings.js';
import { formatBaselines, textBaselines } from '../data/text-baselines.js';

function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function describeSet(label: string, set: ImageSet, what: string): string {
  let sum = 0;
  const px = set.images;
  for (let i = 0; i < px.length; i++) sum += px[i];
  const mean = px.length ? sum / px.length : 0;
  const shape = `${set.height}×${set.width}×${set.channels}`;
  return `  ${label.padEnd(6)}${String(set.count).padStart(6)} × ${shape} (${imageSize(set)} values)  mean pixel ${mean.toFixed(4)}  ${what}`;
}

/** `ff data info aesop`: the text dataset has strings and windows, not images. */
async function printAesopInfo(dataDir: string | undefined, textSplit: TextSplit, baselines: boolean): Promise<void> {
  const t0 = performance.now();
  const c = await loadAesop({ dataDir });
  const ms = performance.now() - t0;
  out(`${AESOP_NAME} from ${c.file} (loaded in ${(ms / 1000).toFixed(2)} s; ${c.verified ? 'SHA-256 verified' : 'NOT the expected file'})`);
  out(`  symbols: ${c.alphabetSize} ${JSON.stringify(TEXT_SYMBOLS)} (index order)`);
  out(`  ${c.description}`);
  out(`  train ${String(c.train.length).padStart(4)} strings, ${c.trainWindows.count} windows × ${c.contextLength * c.alphabetSize} one-hot values`);
  out(`  test  ${String(c.test.length).padStart(4)} strings, ${c.testWindows.count} windows × ${c.contextLength * c.alphabetSize} one-hot values`);
  out(`  --text-split ${textSplit}: ${trainingStrings(c, textSplit).description}`);
  if (baselines) for (const line of formatBaselines(textBaselines(c, textSplit, 'test'), true)) out(line);
}

export function registerDataCommands(program: Command): void {
  const data = program.command('data').description(`datasets (${DATASET_NAMES.join(', ')}; text: ${AESOP_NAME}): list, info, verify, download`);

  data
    .command('list')
    .description('list the datasets and where each would be read from')
    .option('--data-dir <dir>', 'directory holding the files, or a <name>/ subfolder of them (env FF_DATA_DIR)')
    .action((opts: { dataDir?: string }) => {
      for (const name of DATASET_NAMES) {
        let where: string;
        try {
          // The text is one file; no download exists for it, so say how to point at it.
          const d = name === AESOP_NAME ? path.join(aesopDir(opts.dataDir), AESOP_FILE) : datasetDir(name, opts.dataDir);
          where = `${d}${existsSync(d) ? '' : name === AESOP_NAME ? ' (not found: set FF_AESOP_DIR; no download exists)' : ' (not found)'}`;
        } catch (e) {
          where = (e as Error).message;
        }
        out(`${name.padEnd(14)}${where}`);
      }
    });

  data
    .command('info')
    .description('load a dataset and print its splits: counts, shapes, what each is')
    .argument('<name>', DATASET_NAMES.join(' | '))
    .option('--data-dir <dir>', 'directory holding the files, or a <name>/ subfolder of them (env FF_DATA_DIR; aesop also FF_AESOP_DIR)')
    .option('--train-on-all', 'train on the whole official training set (valid then overlaps train)')
    .option('--text-split <split>', `aesop: which strings train (${TEXT_SPLITS.join(' or ')})`)
    .option('--baselines', "aesop: the n-gram baselines (add-one unigram, bigram; Kneser-Ney orders 1–8) on the held-out strings")
    .action(async (name: string, opts: { dataDir?: string; trainOnAll?: boolean; textSplit?: string; baselines?: boolean }) => {
      if (name === AESOP_NAME) {
        if (opts.trainOnAll) throw new Error(`--train-on-all does not apply to ${AESOP_NAME} (its split is by whole strings)`);
        const split = opts.textSplit ?? 'paper';
        if (!(TEXT_SPLITS as readonly string[]).includes(split)) throw new Error(`--text-split must be one of ${TEXT_SPLITS.join(', ')}, got '${split}'`);
        return printAesopInfo(opts.dataDir, split as TextSplit, Boolean(opts.baselines));
      }
      if (opts.textSplit !== undefined || opts.baselines) throw new Error(`--text-split and --baselines apply to ${AESOP_NAME} only, not ${name}`);
      const t0 = performance.now();
      const ds = await loadDataset(name, { dataDir: opts.dataDir, trainOnAll: opts.trainOnAll });
      const ms = performance.now() - t0;
      out(`${ds.name} from ${ds.dir} (loaded in ${(ms / 1000).toFixed(2)} s)`);
      out(`  classes: ${ds.numClasses} (${ds.classNames.join(', ')})`);
      out(describeSet('train', ds.train, ds.validOverlapsTrain ? 'all of the official training set' : 'first part of the official training set'));
      out(describeSet('valid', ds.valid, ds.validDescription));
      out(describeSet('test', ds.test, ds.testDescription));
    });

  data
    .command('verify')
    .description('check the files on disk against the published MD5 checksums (offline)')
    .argument('<name>', DATASET_NAMES.join(' | '))
    .option('--dir <dir>', 'directory holding the files, or a <name>/ subfolder of them (default: where ff reads them)')
    .action(async (name: string, opts: { dir?: string }) => {
      const n = parseDatasetName(name);
      const dir = datasetDir(n, opts.dir);
      const results = await verifyDataset(n, dir);
      for (const r of results) out(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.file}: ${r.detail}`);
      assertVerified(n, results);
      out(`${n}: ${results.length === 1 ? "the file" : `all ${results.length} files`} verified in ${dir}`);
    });

  data
    .command('download')
    .description('download the official files (needs network), verify their MD5s, write them atomically')
    .argument('<name>', DATASET_NAMES.join(' | '))
    .option('--dir <dir>', 'target directory (default $FF_DATA_DIR/<name>, else the data cache ~/.cache/forward-forward/<name>, where ff looks by default)')
    .option('--force', 'download again even if verified files are already there')
    .action(async (name: string, opts: { dir?: string; force?: boolean }) => {
      const n = parseDatasetName(name);
      const envDir = process.env.FF_DATA_DIR;
      const dir = opts.dir ? path.resolve(opts.dir) : envDir ? path.resolve(envDir, n) : cachedDatasetDir(n);
      makeDir(dir); // first, so an unusable --dir is one plain line before any network use
      const results = await downloadDataset(n, dir, { force: opts.force, log: (line) => out(line) });
      out(`${n}: ${results.length} files verified in ${dir}`);
    });
}
