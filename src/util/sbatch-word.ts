// Values of `#SBATCH` lines. sbatch reads these lines with its own tokenizer, not bash's: a
// word ends at unquoted white space, an unquoted `#` starts a comment, "…" and '…' quote, and a
// backslash takes the next character literally, inside quotes too (sbatch's _get_argument).
// A directive it cannot read makes it ignore every #SBATCH line (or refuse the script).
import { refuseControlCharacters } from './control-characters.js';

/** `s` as one #SBATCH word: double-quoted, `"` and `\` backslash-escaped. */
export function sbatchWord(s: string): string {
  refuseControlCharacters('an #SBATCH value', s);
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * A literal path as the start of a Slurm filename pattern (--output): `%` doubled, since `%a`,
 * `%j`, … are replaced. A backslash anywhere turns off every replacement (the array's `%a`
 * too) and cannot be escaped, so a path holding one is refused.
 */
export function slurmLiteralPath(p: string): string {
  if (p.includes('\\')) throw new Error(`Slurm cannot write logs below a path holding a backslash (it turns off %a in --output): ${p}`);
  return p.replace(/%/g, '%%');
}
