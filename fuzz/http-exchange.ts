// One raw HTTP/1.1 exchange over a loopback socket, for the serve fuzz target and ff serve's
// tests: the request's exact bytes go out (no client library to tidy the target or the Host
// header), and everything the server sends until it closes comes back. The request should ask
// for Connection: close; the write side stays open (Node's server drops a response still being
// streamed when the client half-closes, which no browser does).
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: Buffer;
}

/** The server's bytes until it closed the connection (a reset ends it too: what came before is kept). */
export function exchange(port: number, request: Uint8Array, host = '127.0.0.1'): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, host, () => socket.write(request));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

/** The first response in `bytes`, or null when there is none (no complete head). */
export function parseResponse(bytes: Buffer): RawResponse | null {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine, ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(statusLine);
  if (!m) return null;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(m[1]), headers, body: bytes.subarray(end + 4) };
}

/** A GET (or other method) request for `target` with the given headers, closing after the answer. */
export function rawRequest(method: string, target: string, headers: Record<string, string>): Buffer {
  const lines = [`${method} ${target} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), 'Connection: close', '', ''];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}
