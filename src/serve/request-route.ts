// What a request to ff serve asks for, decided from its method, target and headers alone (no
// file system): a refusal with its status, the run list, a run's checkpoint, or a file of the
// explorer named by path segments (or a test-image sample by name) that cannot leave its directory. Pure, so the fuzzer and the
// tests can call it on anything.
import { foreignRequest } from './allowed-hosts.js';

export interface RequestHead {
  method: string | undefined;
  /** The request target as sent (origin-form: "/path?query"). */
  url: string | undefined;
  host: string | undefined;
  origin: string | undefined;
}

export type Route =
  | { kind: 'refused'; status: number; body: string; headers?: Record<string, string> }
  | { kind: 'runs' }
  | { kind: 'checkpoint'; run: number }
  | { kind: 'sample'; name: string }
  | { kind: 'file'; segments: string[] };

export const ALLOWED_METHODS = 'GET, HEAD';

const notFound: Route = { kind: 'refused', status: 404, body: 'not found' };

/** A sample's name (image-sample.ts): lower-case letters, digits and dashes. */
const SAMPLE_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** A run index as the explorer writes it: decimal digits, no sign, no leading zero. */
const RUN_INDEX = /^(0|[1-9]\d{0,8})$/;

export function routeRequest(head: RequestHead, allowedHosts: ReadonlySet<string>, runCount: number): Route {
  const foreign = foreignRequest(head.host, head.origin, allowedHosts);
  if (foreign) return { kind: 'refused', ...foreign };
  if (head.method !== 'GET' && head.method !== 'HEAD') {
    return { kind: 'refused', status: 405, body: 'only GET and HEAD', headers: { Allow: ALLOWED_METHODS } };
  }
  const segments = pathSegments(head.url ?? '');
  if (!segments) return { kind: 'refused', status: 400, body: 'bad request target' };
  if (segments[0] === 'api') {
    if (segments.length === 2 && segments[1] === 'runs') return { kind: 'runs' };
    if (segments.length === 4 && segments[1] === 'runs' && RUN_INDEX.test(segments[2]) && segments[3] === 'checkpoint.safetensors') {
      const run = Number(segments[2]);
      return run < runCount ? { kind: 'checkpoint', run } : { kind: 'refused', status: 404, body: 'no such run' };
    }
    if (segments.length === 3 && segments[1] === 'samples' && SAMPLE_NAME.test(segments[2])) return { kind: 'sample', name: segments[2] };
    return notFound;
  }
  if (segments.length === 1 && segments[0] === '') return { kind: 'file', segments: ['index.html'] };
  // Each segment names an entry of the directory above it: no "", ".", ".." or hidden names,
  // no separators smuggled in by percent-encoding, no NUL.
  return segments.every((s) => s !== '' && !s.startsWith('.') && !/[/\\\0]/.test(s)) ? { kind: 'file', segments } : notFound;
}

/** The decoded segments of an origin-form target's path, or null when it is not one (or its percent-encoding is malformed). */
function pathSegments(url: string): string[] | null {
  if (!url.startsWith('/')) return null;
  const end = url.search(/[?#]/);
  const raw = (end < 0 ? url : url.slice(0, end)).slice(1).split('/');
  try {
    return raw.map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
}
