/**
 * A plain HTTP server on 127.0.0.1 (port 0) for tests that stand in for a remote service the CSMS
 * posts to (an OCSP responder, a contract-certificate provider, a V2G signer): each request is
 * handed over with its whole body read. `close()` ends every open connection first, so a handler
 * that never answers (a silent service) does not hold the test up.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpEndpoint {
  /** `http://127.0.0.1:<port>`: append the path the service is reached at. */
  readonly origin: string;
  close(): Promise<void>;
}

export type HttpEndpointHandler = (body: Buffer, response: ServerResponse, request: IncomingMessage) => void;

export async function startHttpEndpoint(handle: HttpEndpointHandler): Promise<HttpEndpoint> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(Buffer.concat(chunks), response, request));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
