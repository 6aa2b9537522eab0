// Signs that a run is not learning, checked after every epoch so that the epoch line,
// metrics.jsonl and results.json say so instead of a run ending silently at chance.
//   - a classifier's validation (or test) error is not significantly below chance;
//   - a cross-entropy is far worse than a uniform guess (ln N): the classifier is confidently wrong;
//   - a training loss jumped (more than doubled since the previous epoch).

/** Training losses that are cross-entropies of an N-way prediction. */
const CROSS_ENTROPY_KEYS = ['softmaxLoss', 'probeLoss', 'trainLoss'];
/** Losses watched for jumps (numbers, or per-layer lists). */
const LOSS_KEYS = ['ffLoss', ...CROSS_ENTROPY_KEYS];

/** True when `error` on `n` examples is within 3 standard errors of guessing among N classes. */
export function atChance(error: number, numClasses: number, n: number): boolean {
  const chance = 1 - 1 / numClasses;
  const se = Math.sqrt((chance * (1 - chance)) / Math.max(1, n));
  return error >= chance - 3 * se;
}

/** One-line warnings for a set of classifier errors (e.g. "valid goodness error 89.7 % is at chance (90 %)"). */
export function chanceWarnings(what: string, errors: Record<string, number>, numClasses: number, n: number): string[] {
  const chance = 1 - 1 / numClasses;
  return Object.entries(errors)
    .filter(([, e]) => atChance(e, numClasses, n))
    .map(([mode, e]) => `${what} ${mode} error ${(100 * e).toFixed(1)} % is at chance (${(100 * chance).toFixed(0)} %)`);
}

type Losses = Record<string, unknown>;

/** Warnings about training losses of this epoch, given the previous epoch's (or undefined). */
export function lossWarnings(now: Losses, before: Losses | undefined, numClasses: number): string[] {
  const out: string[] = [];
  const guess = Math.log(numClasses);
  for (const key of CROSS_ENTROPY_KEYS) {
    const v = now[key];
    if (typeof v === 'number' && v > 2 * guess) {
      out.push(`${key} ${v.toFixed(2)} is far worse than a uniform guess (${guess.toFixed(2)}): the classifier is confidently wrong`);
    }
  }
  if (!before) return out;
  for (const key of LOSS_KEYS) {
    const a = asList(before[key]);
    const b = asList(now[key]);
    if (!a || !b || a.length !== b.length) continue;
    b.forEach((x, i) => {
      // Small losses may wobble; a jump from a meaningful level to twice it is divergence.
      if (x > 2 * a[i] && x > 0.1) out.push(`${key}${b.length > 1 ? ` (layer ${i + 1})` : ''} jumped from ${a[i].toFixed(3)} to ${x.toFixed(3)}`);
    });
  }
  return out;
}

function asList(v: unknown): number[] | undefined {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  return undefined;
}
