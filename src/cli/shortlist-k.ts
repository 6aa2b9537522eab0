// `--k`, the shortlist size of `ff eval` and `ff predict`: one parser so both say the same.
// Digits only: Number() would also read 0x2 or 2e0.

/** The number of labels the shortlist classifier compares, or a one-line error quoting the input. */
export function parseShortlistK(raw: string, numClasses: number): number {
  const k = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || k < 1 || k > numClasses) {
    throw new Error(`--k must be an integer in 1..${numClasses}, got '${raw}'`);
  }
  return k;
}
