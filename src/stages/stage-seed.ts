// Seeds of the stages' noise streams: one uint32 per (base seed, purpose, layer), so that the
// box, each chip's variation and each kind of pass noise are independent streams, and FF and
// BP on the same chip see the same chip.

/** A uint32 seed from a base seed, a purpose and a layer (FNV-1a over the tag, then mixed). */
export function seedFor(base: number, tag: string, layer = 0): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < tag.length; i++) h = Math.imul(h ^ tag.charCodeAt(i), 0x01000193);
  h = mix(h ^ mix(base >>> 0) ^ Math.imul(layer + 1, 0x9e3779b9));
  return h >>> 0;
}

function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}
