// A value bound for a script, a YAML file or a one-line message must stay on its line: a
// newline in a comment or an #SBATCH line starts a command, one in a YAML scalar starts a key.
// Such values are refused, never escaped: no name, path or option value needs one. Besides
// the ASCII and C1 controls (tab and carriage return among them), YAML 1.1 also breaks lines
// at U+2028/U+2029; an unpaired surrogate has no UTF-8 encoding at all.
import { messageValue } from './message-value.js';

const CONTROL = /[\p{Cc}\u2028\u2029]/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function hasControlCharacter(s: string): boolean {
  return CONTROL.test(s) || LONE_SURROGATE.test(s);
}

/** `s` itself, or a one-line error naming `what` (e.g. '--out') and quoting the value. */
export function refuseControlCharacters(what: string, s: string): string {
  if (hasControlCharacter(s)) throw new Error(`${what} must not hold a newline or other control character, got ${messageValue(s)}`);
  return s;
}
