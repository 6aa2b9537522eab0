// Every setting of the page lives in the URL's hash (run, test image, the live run's net and
// seed), so a view or a live run is a link that reproduces it. What a link sets is checked by
// hash-state.ts; writing keeps only valid fields, so an invalid one does not linger in the URL.
import { formatPageHash, parsePageHash, type PageHash, type ParsedHash } from './hash-state.js';

export function readState(): ParsedHash {
  return parsePageHash(location.hash);
}

/** Set fields of the hash (undefined removes one). */
export function writeState(patch: PageHash): void {
  history.replaceState(null, '', `#${formatPageHash({ ...readState().state, ...patch })}`);
}
