import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens and resolves to the server's base URL with the `/v1` base path. */
export function listen(server: Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const { port: bound } = server.address() as AddressInfo;
      resolve(`http://${host.includes(':') ? `[${host}]` : host}:${bound}/v1`);
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
