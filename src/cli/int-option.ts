// Integer options of every ff command: one rule and one message. Digits only, spaces around
// allowed — Number() would also read 0x10, 1e1, 1.0 and '' — and within the option's range.
import { InvalidArgumentError } from 'commander';

/** The largest value an unbounded option takes (seeds, counts): what fits in a uint32. */
export const MAX_INT_OPTION = 2 ** 32 - 1;

function check(raw: string, min: number, max: number): string | undefined {
  const digits = /^\s*\d+\s*$/.test(raw);
  const v = Number(raw);
  if (digits && v >= min && v <= max) return undefined;
  // An unbounded option names its bound only to a number past it.
  return `must be an integer ${max === MAX_INT_OPTION && !(digits && v > max) ? `≥ ${min}` : `in ${min}..${max}`}`;
}

/** `--flag`'s value as an integer in [min, max], or a one-line error quoting it. */
export function parseIntOption(flag: string, raw: string, min: number, max = MAX_INT_OPTION): number {
  const problem = check(raw, min, max);
  if (problem) throw new Error(`${flag} ${problem}, got '${raw}'`);
  return Number(raw);
}

/** parseIntOption, or undefined for an option that was not given. */
export function optionalIntOption(flag: string, raw: string | undefined, min: number, max = MAX_INT_OPTION): number | undefined {
  return raw === undefined ? undefined : parseIntOption(flag, raw, min, max);
}

/** The same rule as a Commander argument parser (Commander's message names the option and value). */
export function intArg(min: number, max = MAX_INT_OPTION): (raw: string) => number {
  return (raw) => {
    const problem = check(raw, min, max);
    if (problem) throw new InvalidArgumentError(problem);
    return Number(raw);
  };
}
