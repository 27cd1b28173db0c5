import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';

/** A loopback TCP relay to `port` that a test can shut, as a network partition would. */
export interface TcpGate {
  /** Where to connect instead of the target, e.g. `127.0.0.1:40123`. */
  address: string;
  /** Cuts every relayed connection and refuses new ones. */
  shut(): void;
  /** Relays new connections again. */
  open(): void;
  close(): Promise<void>;
}

export async function startTcpGate(port: number): Promise<TcpGate> {
  let open = true;
  const relayed = new Set<Socket>();
  const server = createServer((client) => {
    if (!open) return void client.destroy();
    const target = connect(port, '127.0.0.1');
    const cut = () => {
      client.destroy();
      target.destroy();
      relayed.delete(client);
    };
    relayed.add(client);
    for (const socket of [client, target]) {
      socket.on('error', cut);
      socket.on('close', cut);
    }
    client.pipe(target).pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port: gatePort } = server.address() as { port: number };
  const shut = () => {
    open = false;
    for (const client of relayed) client.destroy();
  };
  return {
    address: `127.0.0.1:${gatePort}`,
    shut,
    open() {
      open = true;
    },
    async close() {
      shut();
      server.close();
      await once(server, 'close');
    },
  };
}
