// A diverging blue–white–red colour map for signed weights, with symmetric scaling: 0 is
// white, −s dark blue, +s dark red, where s is chosen per unit (its largest |weight|), so every
// receptive field uses its whole colour range and the sign of a weight is always readable.
//
// The stops are ColorBrewer's 11-class "RdBu" (Cynthia Brewer, colorbrewer2.org), reversed so
// negative is blue: a well-tested diverging scheme that stays readable for the common forms of
// colour blindness and in greyscale print.

export type Rgb = [number, number, number];

/** From t = −1 (most negative) to t = +1 (most positive); the middle stop is t = 0. */
export const DIVERGING_STOPS: readonly string[] = [
  '#053061',
  '#2166ac',
  '#4393c3',
  '#92c5de',
  '#d1e5f0',
  '#f7f7f7',
  '#fddbc7',
  '#f4a582',
  '#d6604d',
  '#b2182b',
  '#67001f',
];

const STOPS: Rgb[] = DIVERGING_STOPS.map(hexToRgb);

export function hexToRgb(hex: string): Rgb {
  const h = hex.replace('#', '');
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

export function rgbToCss([r, g, b]: Rgb): string {
  return `rgb(${r},${g},${b})`;
}

/** Colour of t ∈ [−1, 1] (clipped; NaN counts as 0), linearly interpolated between the stops. */
export function divergingColor(t: number): Rgb {
  const v = Number.isNaN(t) ? 0 : Math.max(-1, Math.min(1, t));
  const pos = ((v + 1) / 2) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = STOPS[i];
  const b = STOPS[i + 1];
  return [
    Math.round(a[0] + (b[0] - a[0]) * f),
    Math.round(a[1] + (b[1] - a[1]) * f),
    Math.round(a[2] + (b[2] - a[2]) * f),
  ];
}

/** Colour of a value under a symmetric scale [−scale, +scale]. */
export function colorFor(value: number, scale: number): Rgb {
  return divergingColor(scale > 0 ? value / scale : 0);
}

/** The symmetric scale of some values: their largest |value| (1 when all are 0 or absent). */
export function symmetricScale(values: Iterable<number>): number {
  let s = 0;
  for (const v of values) if (Number.isFinite(v)) s = Math.max(s, Math.abs(v));
  return s > 0 ? s : 1;
}

/** A CSS linear-gradient of the map, for colour-bar legends in HTML. */
export function cssGradient(direction = 'to right'): string {
  return `linear-gradient(${direction}, ${DIVERGING_STOPS.join(', ')})`;
}
