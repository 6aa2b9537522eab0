// WGSL of gemm: c = alpha·op(a)·op(b) + beta·c, TILE×TILE output tiles, the k loop staged
// through workgroup memory a TILE-wide slab at a time (each value of a and b read once per tile
// instead of once per product). beta 0 overwrites c, NaN included, as on the CPU engines.

export const TILE = 16;

export const GEMM = /* wgsl */ `
struct P { m: u32, n: u32, k: u32, a: u32, b: u32, c: u32, transA: u32, transB: u32, alpha: f32, beta: f32, }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;
var<workgroup> As: array<array<f32, ${TILE}>, ${TILE}>;
var<workgroup> Bs: array<array<f32, ${TILE}>, ${TILE}>;

// op(a)[r, kk]: a is m×k, or k×m when transposed.
fn opA(r: u32, kk: u32) -> f32 {
  if (p.transA != 0u) { return A[p.a + kk * p.m + r]; }
  return A[p.a + r * p.k + kk];
}
// op(b)[kk, c]: b is k×n, or n×k when transposed.
fn opB(kk: u32, c: u32) -> f32 {
  if (p.transB != 0u) { return B[p.b + c * p.k + kk]; }
  return B[p.b + kk * p.n + c];
}

@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
  let row = wg.y * ${TILE}u + l.y;
  let col = wg.x * ${TILE}u + l.x;
  var acc = 0.0;
  for (var t = 0u; t < p.k; t += ${TILE}u) {
    let ka = t + l.x;
    var av = 0.0;
    if (row < p.m && ka < p.k) { av = opA(row, ka); }
    As[l.y][l.x] = av;
    let kb = t + l.y;
    var bv = 0.0;
    if (kb < p.k && col < p.n) { bv = opB(kb, col); }
    Bs[l.y][l.x] = bv;
    workgroupBarrier();
    for (var kk = 0u; kk < ${TILE}u; kk++) { acc += As[l.y][kk] * Bs[kk][l.x]; }
    workgroupBarrier();
  }
  if (row < p.m && col < p.n) {
    let ci = p.c + row * p.n + col;
    if (p.beta == 0.0) { C[ci] = p.alpha * acc; } else { C[ci] = p.alpha * acc + p.beta * C[ci]; }
  }
}`;
