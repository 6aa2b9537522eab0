// WGSL shared by the WebGPU kernels. Every matrix is a storage buffer of f32 plus an element
// offset passed as a uniform (a row view shares its parent's buffer: binding offsets must be
// 256-byte aligned, element offsets need not be). One-dimensional kernels run 256 invocations
// per workgroup on a 2-D grid of workgroups (a dimension holds at most 65535 of them).

/** Invocations per workgroup of the one-dimensional kernels. */
export const WG = 256;

/** `idx(gid, nwg)`: the flat index of an invocation of a 1-D kernel; `isNan` without relying on x != x (which compilers may fold). */
export const WGSL_COMMON = /* wgsl */ `
fn idx(gid: vec3<u32>, nwg: vec3<u32>) -> u32 { return gid.y * nwg.x * ${WG}u + gid.x; }
fn isNan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
`;

/** The entry point of a 1-D kernel over p.n elements: `let i` is the element, out-of-range invocations return. */
export function entry1d(body: string): string {
  return /* wgsl */ `
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = idx(gid, nwg);
  if (i >= p.n) { return; }
${body}
}`;
}
