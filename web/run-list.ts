// The runs `ff serve` offers (GET api/runs: [{ name }]), or why there are none. The static
// build answers that request with a file of its own (scripts/build-web.ts writes
// dist/web/api/runs as STATIC_RUN_LIST), so a static host says so plainly instead of a 404.

/** What dist/web/api/runs holds: not a list, so the page knows it is on a static host. */
export const STATIC_RUN_LIST = { runList: false, why: 'a static host has no run list: ff serve has one' } as const;

export const NO_RUN_LIST = 'No run list on a static host — start ff serve to see your runs';

/** The run names in the server's order (their index is the run number), or the reason there is no list. */
export async function listRuns(): Promise<string[] | string> {
  try {
    const res = await fetch('api/runs');
    const body: unknown = res.ok ? await res.json() : null;
    if (Array.isArray(body)) return body.map((r: { name?: unknown }, i) => (typeof r?.name === 'string' ? r.name : `run ${i}`));
  } catch {
    // not JSON, or no answer: as a static host
  }
  return NO_RUN_LIST;
}
