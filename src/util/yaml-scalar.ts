// Scalars of a generated YAML file (the Kubernetes manifest). A plain scalar's meaning depends
// on its characters (`a, b}` ends a flow mapping, `yes` is a boolean, `: ` starts a key), so
// every string is written double-quoted: a JSON string is one, as YAML 1.2 reads JSON.
// Line breaks are refused before that (control-characters.ts): kubectl's YAML 1.1 parser would
// take U+2028 in a scalar as one.
import { refuseControlCharacters } from './control-characters.js';

export function yamlScalar(s: string): string {
  return JSON.stringify(refuseControlCharacters('a YAML value', s));
}
