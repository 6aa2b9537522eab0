// Which Host and Origin headers ff serve answers. A browser page from any site can reach a
// loopback port through DNS rebinding (its own name re-resolved to 127.0.0.1), so the port
// being loopback-only is not enough: only the loopback names themselves are answered.

/** The loopback names a browser may use for this server, as they appear in a Host header. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** The name of a listening address as a URL's host part (IPv6 literals in brackets). */
export function urlHost(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}

/** Every Host header value (lower case) that names this server: the loopback names and the bound address, with its port. */
export function allowedHosts(bindAddress: string, port: number): ReadonlySet<string> {
  const hosts = new Set<string>();
  for (const name of new Set([...LOOPBACK_NAMES, urlHost(bindAddress).toLowerCase()])) {
    hosts.add(`${name}:${port}`);
    if (port === 80) hosts.add(name); // the default port goes unwritten
  }
  return hosts;
}

/** Why a request's Host or Origin header is refused, as a status and a short body, or null. */
export function foreignRequest(host: string | undefined, origin: string | undefined, allowed: ReadonlySet<string>): { status: number; body: string } | null {
  // 421 Misdirected Request: this server does not answer for that name.
  if (host === undefined || !allowed.has(host.toLowerCase())) return { status: 421, body: 'this server answers only for its loopback address (Host header refused)' };
  if (origin !== undefined && !(origin.startsWith('http://') && allowed.has(origin.slice('http://'.length).toLowerCase()))) {
    return { status: 403, body: 'requests from other sites are refused (Origin header)' };
  }
  return null;
}
