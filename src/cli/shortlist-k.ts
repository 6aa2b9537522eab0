// `--k`, the shortlist size of `ff eval` and `ff predict`: one parser so both say the same.
import { parseIntOption } from './int-option.js';

/** The number of labels the shortlist classifier compares, or a one-line error quoting the input. */
export function parseShortlistK(raw: string, numClasses: number): number {
  return parseIntOption('--k', raw, 1, numClasses);
}
