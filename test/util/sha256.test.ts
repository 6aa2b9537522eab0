// The pure-TypeScript SHA-256 that checksums checkpoints: FIPS 180-4 test vectors, every
// padding boundary against node:crypto, and input split at arbitrary points.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { Sha256, sha256Hex } from '../../src/util/sha256.js';

test('sha256 matches the FIPS 180-4 vectors', () => {
  assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(
    sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  );
  assert.equal(
    sha256Hex('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu'),
    'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
  );
  assert.equal(sha256Hex('a'.repeat(1_000_000)), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  assert.equal(sha256Hex('ünï ✓ 𝄞'), createHash('sha256').update('ünï ✓ 𝄞', 'utf8').digest('hex'));
});

test('sha256 agrees with node:crypto at every length around the padding boundaries, in any chunks', () => {
  const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 151 + 7) & 255);
  for (let n = 0; n <= 300; n++) {
    const want = createHash('sha256').update(bytes.subarray(0, n)).digest('hex');
    assert.equal(sha256Hex(bytes.subarray(0, n)), want, `length ${n}`);
    const h = new Sha256();
    for (let p = 0, k = 1; p < n; p += k, k = (k * 5 + 3) % 71) h.update(bytes.subarray(p, Math.min(n, p + k)));
    assert.equal(h.hex(), want, `length ${n} in chunks`);
  }
});
