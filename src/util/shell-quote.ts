// Words and comments of a generated bash script (tasks.sh, slurm.sbatch). A word is quoted
// only when it needs to be, in single quotes (inside which bash expands nothing); a comment
// runs to the end of its line, so neither may hold a line break (control-characters.ts).
import { refuseControlCharacters } from './control-characters.js';

/** One word for a POSIX shell, e.g. `it's` → `'it'\''s'`. */
export function shellWord(s: string): string {
  refuseControlCharacters('a word of a generated script', s);
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Words as one command line. */
export function shellLine(words: readonly string[]): string {
  return words.map(shellWord).join(' ');
}

/** `# text`: a comment line of a shell script (or a YAML file, whose comments read the same). */
export function hashComment(text: string): string {
  return `# ${refuseControlCharacters('a comment of a generated file', text)}`;
}
