// HTTP caching and compression decisions for ff serve's explorer files, from request headers
// alone (pure, for the tests and the fuzzer): whether the client takes gzip (Accept-Encoding),
// the entity tag of a file version, and whether If-None-Match already names it (304).

/** True when Accept-Encoding admits gzip: `gzip`, `x-gzip` or `*` listed with a q-value above 0. */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  let star: boolean | undefined;
  for (const item of acceptEncoding.split(',')) {
    const [coding, ...params] = item.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    const ok = Number.isFinite(weight) && weight > 0;
    if (coding === 'gzip' || coding === 'x-gzip') return ok; // named outright: that decides
    if (coding === '*') star = ok;
  }
  return star === true;
}

/**
 * A strong entity tag for one stored version of a file: its size and modification time (as
 * nginx makes them), plus the encoding sent, since gzip and identity bytes differ.
 */
export function entityTag(size: number, mtimeMs: number, encoding: 'gzip' | 'identity'): string {
  return `"${Math.trunc(size).toString(16)}-${Math.trunc(mtimeMs).toString(16)}${encoding === 'gzip' ? '-gz' : ''}"`;
}

/** True when If-None-Match (a list of tags, or `*`) names `etag`; weak tags compare by their value (RFC 9110 §13.1.2). */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const tags = ifNoneMatch.match(/(?:W\/)?"[^"]*"/g) ?? [];
  return tags.some((t) => t.replace(/^W\//, '') === etag);
}
