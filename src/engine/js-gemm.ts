// Pure-TypeScript sgemm for the js backend: c = alpha·op(a)·op(b) + beta·c on row-major
// Float32Arrays, op(x) = x or xᵀ. No SIMD in JS, so speed comes from the memory side and from
// register blocking, as in GotoBLAS / BLIS:
//
//  * op(b) is packed, per block of KC×NC, into panels of NR = 8 columns stored p-major
//    (bp[(panel·kc + p)·8 + j]), and op(a), per block of MC×KC, into panels of MR = 4 rows
//    stored p-major (ap[(panel·kc + p)·4 + r]) with alpha folded in. Whatever the transposes,
//    the micro-kernels then read both operands with unit stride. The packed copies are
//    Float64Arrays (no float→double conversion in the inner loop; the products are summed in
//    double anyway).
//  * The micro-kernel keeps a 4×8 tile of C in 32 local doubles and reads 4 + 8 values per step
//    of k; C is touched once per KC block.
//  * Loop order: B micro-panel (KC×8 doubles, 16 KiB) stays in L1 while all A panels of the
//    block (MC×KC doubles, 256 KiB) stream from L2.
//  * Zeros in op(a) are skipped (ReLU activations and MNIST pixels are mostly zero): packing a
//    4-row panel counts its non-zeros, and a cost model runs the panel as one 4×8 tile over all
//    steps of k, one 4×8 tile over the steps where any of the 4 rows is non-zero, or four 1×8
//    rows each over its own non-zero steps (the best once zeros are common but not aligned
//    across rows). The step lists are built only for panels that use them. A skipped step
//    contributes nothing even where b holds Inf or NaN (0·Inf is not formed).
//
// Scratch buffers are module-level and only grow (JS is single-threaded; workers get their own
// module instance).

const MR = 4;
const NR = 8;
const KC = 256;
const MC = 128;
const NC = 512;

// Relative cost of one step of k for each way to run a 4-row panel (time per step measured on
// a 2-core AMD EPYC under Node 20: 4×8 ≈ 5.7 GFLOP/s over all steps, ≈ 5.3 over listed steps,
// 1×8 ≈ 4.4 over listed steps).
const COST_DENSE4 = 11.2;
const COST_SPARSE4 = 12.2;
const COST_ROW = 3.6;

const MODE_DENSE4 = 0;
const MODE_SPARSE4 = 1;
const MODE_ROWS = 2;
const MODE_SKIP = 3;

/** Lists per A panel in idxBuf/cntBuf: steps where any row is non-zero, then one per row. */
const LISTS = 1 + MR;

let bpBuf = new Float64Array(0);
let apBuf = new Float64Array(0);
let idxBuf = new Int32Array(0);
let cntBuf = new Int32Array(0);
let modeBuf = new Uint8Array(0);

/**
 * c (m×n) = alpha·op(a)·op(b) + beta·c, where op(a) is m×k (a is k×m when transA) and op(b) is
 * k×n (b is n×k when transB). beta = 0 overwrites c (NaNs included); alpha = 0 only scales c.
 * c must not overlap a or b.
 */
export function sgemm(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  alpha: number, a: Float32Array, b: Float32Array, beta: number, c: Float32Array,
): void {
  const len = m * n;
  if (beta === 0) c.fill(0, 0, len);
  else if (beta !== 1) for (let i = 0; i < len; i++) c[i] *= beta;
  if (m === 0 || n === 0 || k === 0 || alpha === 0) return;

  // op(a)[i, p] = a[i·rsA + p·csA], op(b)[p, j] = b[p·rsB + j·csB].
  const rsA = transA ? 1 : k;
  const csA = transA ? m : 1;
  const rsB = transB ? 1 : n;
  const csB = transB ? k : 1;

  const kcMax = Math.min(KC, k);
  const nPanMax = Math.ceil(Math.min(NC, n) / NR);
  const mPanMax = Math.ceil(Math.min(MC, m) / MR);
  if (bpBuf.length < kcMax * nPanMax * NR) bpBuf = new Float64Array(kcMax * nPanMax * NR);
  if (apBuf.length < kcMax * mPanMax * MR) apBuf = new Float64Array(kcMax * mPanMax * MR);
  if (idxBuf.length < kcMax * mPanMax * LISTS) idxBuf = new Int32Array(kcMax * mPanMax * LISTS);
  if (cntBuf.length < mPanMax * LISTS) cntBuf = new Int32Array(mPanMax * LISTS);
  if (modeBuf.length < mPanMax) modeBuf = new Uint8Array(mPanMax);
  const bp = bpBuf;
  const ap = apBuf;
  const idx = idxBuf;
  const cnts = cntBuf;
  const modes = modeBuf;

  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    const nPan = Math.ceil(nc / NR);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      for (let jp = 0; jp < nPan; jp++) {
        const j0 = jc + jp * NR;
        packB(b, rsB, csB, pc, kc, j0, Math.min(NR, n - j0), bp, jp * kc * NR);
      }
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        const mPan = Math.ceil(mc / MR);
        for (let ip = 0; ip < mPan; ip++) {
          const i0 = ic + ip * MR;
          modes[ip] = packA(a, rsA, csA, alpha, i0, Math.min(MR, m - i0), pc, kc, ap, ip * kc * MR, idx, ip * kc * LISTS, cnts, ip * LISTS);
        }
        for (let jp = 0; jp < nPan; jp++) {
          const j0 = jc + jp * NR;
          const nr = Math.min(NR, n - j0);
          const bo = jp * kc * NR;
          for (let ip = 0; ip < mPan; ip++) {
            const mode = modes[ip];
            if (mode === MODE_SKIP) continue;
            const i0 = ic + ip * MR;
            const mr = Math.min(MR, m - i0);
            const ao = ip * kc * MR;
            const io = ip * kc * LISTS;
            const co = i0 * n + j0;
            if (mode === MODE_DENSE4) kernel4x8(ap, ao, bp, bo, kc, c, co, n, mr, nr);
            else if (mode === MODE_SPARSE4) kernel4x8Sparse(ap, ao, bp, bo, idx, io, cnts[ip * LISTS], c, co, n, mr, nr);
            else {
              for (let r = 0; r < mr; r++) {
                const cnt = cnts[ip * LISTS + 1 + r];
                if (cnt > 0) kernel1x8Sparse(ap, ao + r, bp, bo, idx, io + (1 + r) * kc, cnt, c, co + r * n, nr);
              }
            }
          }
        }
      }
    }
  }
}

/** Packs op(b)[pc .. pc+kc, j0 .. j0+nr] into bp[bo ..] as kc rows of 8 (zero-padded past nr). */
function packB(
  b: Float32Array, rsB: number, csB: number, pc: number, kc: number, j0: number, nr: number,
  bp: Float64Array, bo: number,
): void {
  if (csB === 1) {
    // Rows of op(b) are contiguous in b.
    let src = pc * rsB + j0;
    let dst = bo;
    if (nr === NR) {
      for (let p = 0; p < kc; p++, src += rsB, dst += NR) {
        bp[dst] = b[src];
        bp[dst + 1] = b[src + 1];
        bp[dst + 2] = b[src + 2];
        bp[dst + 3] = b[src + 3];
        bp[dst + 4] = b[src + 4];
        bp[dst + 5] = b[src + 5];
        bp[dst + 6] = b[src + 6];
        bp[dst + 7] = b[src + 7];
      }
    } else {
      for (let p = 0; p < kc; p++, src += rsB, dst += NR) {
        let j = 0;
        for (; j < nr; j++) bp[dst + j] = b[src + j];
        for (; j < NR; j++) bp[dst + j] = 0;
      }
    }
  } else {
    // Columns of op(b) are contiguous in b (transB).
    for (let j = 0; j < NR; j++) {
      if (j < nr) {
        const src = (j0 + j) * csB + pc * rsB;
        for (let p = 0; p < kc; p++) bp[bo + p * NR + j] = b[src + p * rsB];
      } else {
        for (let p = 0; p < kc; p++) bp[bo + p * NR + j] = 0;
      }
    }
  }
}

/**
 * Packs alpha·op(a)[i0 .. i0+mr, pc .. pc+kc] into ap[ao ..] as kc steps of 4 (zero rows past
 * mr) and returns how the panel should be run. For a sparse panel it also lists the non-zero
 * steps in idx[io ..] (LISTS lists of kc: steps where any row is non-zero, then one list per
 * row) with their counts in cnts[co ..].
 */
function packA(
  a: Float32Array, rsA: number, csA: number, alpha: number, i0: number, mr: number, pc: number, kc: number,
  ap: Float64Array, ao: number, idx: Int32Array, io: number, cnts: Int32Array, co: number,
): number {
  // Pass 1: copy and count the non-zeros (NaN counts as non-zero).
  let nAny = 0;
  let nRows = 0;
  let src = i0 * rsA + pc * csA;
  let dst = ao;
  if (mr === MR) {
    for (let p = 0; p < kc; p++, src += csA, dst += MR) {
      const v0 = alpha * a[src];
      const v1 = alpha * a[src + rsA];
      const v2 = alpha * a[src + 2 * rsA];
      const v3 = alpha * a[src + 3 * rsA];
      ap[dst] = v0;
      ap[dst + 1] = v1;
      ap[dst + 2] = v2;
      ap[dst + 3] = v3;
      const nz = (v0 !== 0 ? 1 : 0) + (v1 !== 0 ? 1 : 0) + (v2 !== 0 ? 1 : 0) + (v3 !== 0 ? 1 : 0);
      nRows += nz;
      nAny += nz !== 0 ? 1 : 0;
    }
  } else {
    for (let p = 0; p < kc; p++, src += csA, dst += MR) {
      const v0 = alpha * a[src];
      const v1 = mr > 1 ? alpha * a[src + rsA] : 0;
      const v2 = mr > 2 ? alpha * a[src + 2 * rsA] : 0;
      ap[dst] = v0;
      ap[dst + 1] = v1;
      ap[dst + 2] = v2;
      ap[dst + 3] = 0;
      const nz = (v0 !== 0 ? 1 : 0) + (v1 !== 0 ? 1 : 0) + (v2 !== 0 ? 1 : 0);
      nRows += nz;
      nAny += nz !== 0 ? 1 : 0;
    }
  }
  if (nAny === 0) return MODE_SKIP;
  const tile = nAny === kc ? COST_DENSE4 * kc : COST_SPARSE4 * nAny;
  const rows = COST_ROW * nRows;
  if (rows >= tile && nAny === kc) return MODE_DENSE4;
  // Pass 2, sparse panels only: list the non-zero steps, branch-free (always write, advance the
  // count only on a non-zero).
  if (rows >= tile) {
    let n = 0;
    for (let p = 0, d = ao; p < kc; p++, d += MR) {
      idx[io + n] = p;
      n += ap[d] !== 0 || ap[d + 1] !== 0 || ap[d + 2] !== 0 || ap[d + 3] !== 0 ? 1 : 0;
    }
    cnts[co] = n;
    return MODE_SPARSE4;
  }
  for (let r = 0; r < MR; r++) {
    const l = io + (1 + r) * kc;
    let n = 0;
    for (let p = 0, d = ao + r; p < kc; p++, d += MR) {
      idx[l + n] = p;
      n += ap[d] !== 0 ? 1 : 0;
    }
    cnts[co + 1 + r] = n;
  }
  return MODE_ROWS;
}

/** c[o .. o+nr) += v0 .. v(nr−1), for an edge tile. */
function addRow(
  c: Float32Array, o: number, nr: number,
  v0: number, v1: number, v2: number, v3: number, v4: number, v5: number, v6: number, v7: number,
): void {
  c[o] += v0;
  if (nr > 1) c[o + 1] += v1;
  if (nr > 2) c[o + 2] += v2;
  if (nr > 3) c[o + 3] += v3;
  if (nr > 4) c[o + 4] += v4;
  if (nr > 5) c[o + 5] += v5;
  if (nr > 6) c[o + 6] += v6;
  if (nr > 7) c[o + 7] += v7;
}

// ---- micro-kernels (unrolled by hand: the tile lives in local variables) -------------------

/** 4×8 tile of C += (packed A rows) · (packed B panel), over all kc steps. */
function kernel4x8(
  ap: Float64Array, ao: number, bp: Float64Array, bo: number, kc: number,
  c: Float32Array, co: number, ldc: number, mr: number, nr: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c04 = 0, c05 = 0, c06 = 0, c07 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0, c14 = 0, c15 = 0, c16 = 0, c17 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c24 = 0, c25 = 0, c26 = 0, c27 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0, c34 = 0, c35 = 0, c36 = 0, c37 = 0;
  const bEnd = bo + (kc << 3);
  for (let a = ao, b = bo; b < bEnd; a += 4, b += 8) {
    const a0 = ap[a], a1 = ap[a + 1], a2 = ap[a + 2], a3 = ap[a + 3];
    const b0 = bp[b];
    c00 += a0 * b0; c10 += a1 * b0; c20 += a2 * b0; c30 += a3 * b0;
    const b1 = bp[b + 1];
    c01 += a0 * b1; c11 += a1 * b1; c21 += a2 * b1; c31 += a3 * b1;
    const b2 = bp[b + 2];
    c02 += a0 * b2; c12 += a1 * b2; c22 += a2 * b2; c32 += a3 * b2;
    const b3 = bp[b + 3];
    c03 += a0 * b3; c13 += a1 * b3; c23 += a2 * b3; c33 += a3 * b3;
    const b4 = bp[b + 4];
    c04 += a0 * b4; c14 += a1 * b4; c24 += a2 * b4; c34 += a3 * b4;
    const b5 = bp[b + 5];
    c05 += a0 * b5; c15 += a1 * b5; c25 += a2 * b5; c35 += a3 * b5;
    const b6 = bp[b + 6];
    c06 += a0 * b6; c16 += a1 * b6; c26 += a2 * b6; c36 += a3 * b6;
    const b7 = bp[b + 7];
    c07 += a0 * b7; c17 += a1 * b7; c27 += a2 * b7; c37 += a3 * b7;
  }
  if (mr === 4 && nr === 8) {
    let o = co;
    c[o] += c00; c[o + 1] += c01; c[o + 2] += c02; c[o + 3] += c03; c[o + 4] += c04; c[o + 5] += c05; c[o + 6] += c06; c[o + 7] += c07;
    o = co + ldc;
    c[o] += c10; c[o + 1] += c11; c[o + 2] += c12; c[o + 3] += c13; c[o + 4] += c14; c[o + 5] += c15; c[o + 6] += c16; c[o + 7] += c17;
    o = co + 2 * ldc;
    c[o] += c20; c[o + 1] += c21; c[o + 2] += c22; c[o + 3] += c23; c[o + 4] += c24; c[o + 5] += c25; c[o + 6] += c26; c[o + 7] += c27;
    o = co + 3 * ldc;
    c[o] += c30; c[o + 1] += c31; c[o + 2] += c32; c[o + 3] += c33; c[o + 4] += c34; c[o + 5] += c35; c[o + 6] += c36; c[o + 7] += c37;
  } else {
    addRow(c, co, nr, c00, c01, c02, c03, c04, c05, c06, c07);
    if (mr > 1) addRow(c, co + ldc, nr, c10, c11, c12, c13, c14, c15, c16, c17);
    if (mr > 2) addRow(c, co + 2 * ldc, nr, c20, c21, c22, c23, c24, c25, c26, c27);
    if (mr > 3) addRow(c, co + 3 * ldc, nr, c30, c31, c32, c33, c34, c35, c36, c37);
  }
}

/** 4×8 tile of C += (packed A rows) · (packed B panel), over the steps listed in idx[io, io + cnt). */
function kernel4x8Sparse(
  ap: Float64Array, ao: number, bp: Float64Array, bo: number, idx: Int32Array, io: number, cnt: number,
  c: Float32Array, co: number, ldc: number, mr: number, nr: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c04 = 0, c05 = 0, c06 = 0, c07 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0, c14 = 0, c15 = 0, c16 = 0, c17 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c24 = 0, c25 = 0, c26 = 0, c27 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0, c34 = 0, c35 = 0, c36 = 0, c37 = 0;
  for (let q = 0; q < cnt; q++) {
    const p = idx[io + q];
    const a = ao + (p << 2);
    const b = bo + (p << 3);
    const a0 = ap[a], a1 = ap[a + 1], a2 = ap[a + 2], a3 = ap[a + 3];
    const b0 = bp[b];
    c00 += a0 * b0; c10 += a1 * b0; c20 += a2 * b0; c30 += a3 * b0;
    const b1 = bp[b + 1];
    c01 += a0 * b1; c11 += a1 * b1; c21 += a2 * b1; c31 += a3 * b1;
    const b2 = bp[b + 2];
    c02 += a0 * b2; c12 += a1 * b2; c22 += a2 * b2; c32 += a3 * b2;
    const b3 = bp[b + 3];
    c03 += a0 * b3; c13 += a1 * b3; c23 += a2 * b3; c33 += a3 * b3;
    const b4 = bp[b + 4];
    c04 += a0 * b4; c14 += a1 * b4; c24 += a2 * b4; c34 += a3 * b4;
    const b5 = bp[b + 5];
    c05 += a0 * b5; c15 += a1 * b5; c25 += a2 * b5; c35 += a3 * b5;
    const b6 = bp[b + 6];
    c06 += a0 * b6; c16 += a1 * b6; c26 += a2 * b6; c36 += a3 * b6;
    const b7 = bp[b + 7];
    c07 += a0 * b7; c17 += a1 * b7; c27 += a2 * b7; c37 += a3 * b7;
  }
  if (mr === 4 && nr === 8) {
    let o = co;
    c[o] += c00; c[o + 1] += c01; c[o + 2] += c02; c[o + 3] += c03; c[o + 4] += c04; c[o + 5] += c05; c[o + 6] += c06; c[o + 7] += c07;
    o = co + ldc;
    c[o] += c10; c[o + 1] += c11; c[o + 2] += c12; c[o + 3] += c13; c[o + 4] += c14; c[o + 5] += c15; c[o + 6] += c16; c[o + 7] += c17;
    o = co + 2 * ldc;
    c[o] += c20; c[o + 1] += c21; c[o + 2] += c22; c[o + 3] += c23; c[o + 4] += c24; c[o + 5] += c25; c[o + 6] += c26; c[o + 7] += c27;
    o = co + 3 * ldc;
    c[o] += c30; c[o + 1] += c31; c[o + 2] += c32; c[o + 3] += c33; c[o + 4] += c34; c[o + 5] += c35; c[o + 6] += c36; c[o + 7] += c37;
  } else {
    addRow(c, co, nr, c00, c01, c02, c03, c04, c05, c06, c07);
    if (mr > 1) addRow(c, co + ldc, nr, c10, c11, c12, c13, c14, c15, c16, c17);
    if (mr > 2) addRow(c, co + 2 * ldc, nr, c20, c21, c22, c23, c24, c25, c26, c27);
    if (mr > 3) addRow(c, co + 3 * ldc, nr, c30, c31, c32, c33, c34, c35, c36, c37);
  }
}

/** 1×8 tile of C (row r of the packed 4-row panel) over the steps listed in idx[io, io + cnt). */
function kernel1x8Sparse(
  ap: Float64Array, ao: number, bp: Float64Array, bo: number, idx: Int32Array, io: number, cnt: number,
  c: Float32Array, co: number, nr: number,
): void {
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0, c7 = 0;
  for (let q = 0; q < cnt; q++) {
    const p = idx[io + q];
    const a = ap[ao + (p << 2)];
    const b = bo + (p << 3);
    c0 += a * bp[b];
    c1 += a * bp[b + 1];
    c2 += a * bp[b + 2];
    c3 += a * bp[b + 3];
    c4 += a * bp[b + 4];
    c5 += a * bp[b + 5];
    c6 += a * bp[b + 6];
    c7 += a * bp[b + 7];
  }
  if (nr === 8) {
    c[co] += c0; c[co + 1] += c1; c[co + 2] += c2; c[co + 3] += c3; c[co + 4] += c4; c[co + 5] += c5; c[co + 6] += c6; c[co + 7] += c7;
  } else addRow(c, co, nr, c0, c1, c2, c3, c4, c5, c6, c7);
}

