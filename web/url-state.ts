// Every setting of the page lives in the URL's hash (run, test image, the live run's net and
// seed), so a view or a live run is a link that reproduces it.
export type PageState = Record<string, string>;

export function readState(): PageState {
  return Object.fromEntries(new URLSearchParams(location.hash.slice(1)));
}

export function writeState(patch: PageState): void {
  const s = { ...readState(), ...patch };
  for (const k of Object.keys(s)) if (s[k] === '') delete s[k];
  history.replaceState(null, '', `#${new URLSearchParams(s).toString()}`);
}
