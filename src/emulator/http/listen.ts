import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens and resolves to the server's base URL, with a base path (default `/v1`). */
export function listen(
  server: Server,
  host: string,
  port: number,
  basePath = '/v1',
): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const { port: bound } = server.address() as AddressInfo;
      resolve(`http://${host.includes(':') ? `[${host}]` : host}:${bound}${basePath}`);
    });
  });
}

/** Closes the server and every connection it still holds, hung ones included. */
export function shutdown(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
