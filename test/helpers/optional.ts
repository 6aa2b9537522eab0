// Tests whose data or tool is optional (CIFAR-10, Aesop's fables, Debian's Fashion-MNIST,
// Chromium) skip with one line saying how to get it — on a user's fresh clone nothing of the
// sort is there.
// CI sets FF_TEST_REQUIRE_ALL=1 (.ci/run), which turns every such skip into a run, so a missing
// dataset fails there instead of passing silently.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { defaultCifarDir } from '../../src/data/cifar10.js';
import { FASHION_MNIST_DEFAULT_DIR } from '../../src/data/mnist.js';
import { AESOP_FILE, aesopDir } from '../../src/data/aesop.js';

/** `false` (run the test) when `have` or when CI requires everything, else the one-line reason to skip. */
export function skipUnless(have: boolean, reason: string): false | string {
  return have || process.env.FF_TEST_REQUIRE_ALL === '1' ? false : reason;
}

/** Where the CIFAR-10 tests read the batches: $FF_CIFAR_DIR, else the per-user data cache. */
export const CIFAR_DIR = defaultCifarDir();
export const NO_CIFAR = skipUnless(
  existsSync(path.join(CIFAR_DIR, 'data_batch_1.bin')),
  `CIFAR-10 not in ${CIFAR_DIR}: run 'ff data download cifar-10' (170 MB) or set FF_CIFAR_DIR`,
);

/** Where the Aesop tests read aesop-fables.txt: $FF_AESOP_DIR, else $FF_DATA_DIR(/aesop), else the data cache. */
export const AESOP_DIR = aesopDir();
export const NO_AESOP = skipUnless(
  existsSync(path.join(AESOP_DIR, AESOP_FILE)),
  `${AESOP_FILE} not in ${AESOP_DIR}: set FF_AESOP_DIR to a folder holding it (no download exists)`,
);

export const FASHION_DIR = FASHION_MNIST_DEFAULT_DIR;
export const NO_FASHION = skipUnless(
  existsSync(path.join(FASHION_DIR, 'train-labels-idx1-ubyte.gz')),
  `Fashion-MNIST not in ${FASHION_DIR}: apt-get install dataset-fashion-mnist`,
);

export const CHROMIUM = '/usr/bin/chromium';
export const NO_BROWSER = skipUnless(existsSync(CHROMIUM), `${CHROMIUM} not installed: apt-get install chromium (browser checks)`);

/** The directory of this package's package.json. */
export const PACKAGE_ROOT = path.resolve(import.meta.dirname, '..', '..');
