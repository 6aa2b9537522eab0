// ff serve's HTTP server: listens on the given loopback address, then answers only for the
// names of that address and port (allowed-hosts.ts) with the handler of handler.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { allowedHosts, urlHost } from './allowed-hosts.js';
import { createServeHandler, type ServedRun } from './handler.js';
import type { ServedSamples } from './image-sample.js';
import { ALLOWED_METHODS } from './request-route.js';

export interface ServeSetup {
  /** The explorer's files (a real path). */
  web: string;
  runs: readonly ServedRun[];
  /** The address to listen on. */
  host: string;
  /** 0: any free port. */
  port: number;
  /** Test-image samples (image-sample.ts), or why each is absent. */
  samples?: ServedSamples;
}

/** The listening server and its address (http://HOST:PORT/), or a one-line error (port in use…). */
export async function startServer(setup: ServeSetup): Promise<{ server: Server; url: string; port: number }> {
  const server = createServer();
  // CONNECT is not a request event: without this Node drops the connection without an answer.
  server.on('connect', (_req, socket) => {
    socket.end(`HTTP/1.1 405 Method Not Allowed\r\nAllow: ${ALLOWED_METHODS}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new Error(err.code === 'EADDRINUSE' ? `port ${setup.port} is in use (try --port 0)` : `cannot listen on ${setup.host}:${setup.port}: ${err.message}`));
    });
    server.listen(setup.port, setup.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  // Attached once the port is known (no connection is read before the listen callback has run).
  server.on('request', createServeHandler({ web: setup.web, runs: setup.runs, allowedHosts: allowedHosts(setup.host, port), samples: setup.samples }));
  return { server, url: `http://${urlHost(setup.host)}:${port}/`, port };
}
