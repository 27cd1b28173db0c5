import { buildConnector, Client } from 'undici';

/** A long-lived stream's own undici client, and how the stream gives it back once over. */
export interface StreamClient {
  client: Client;
  /** Destroys the client; calls after the first do nothing. */
  release(): void;
}

/**
 * One undici client per long-lived stream (server-sent events), destroyed when the stream is
 * over. A pooled client whose in-flight request is aborted connects again for it (undici 7; see
 * nodejs/undici#5845), so a tail that ends because its subscriber left, or because a replay
 * caught up, would make a connection (over TLS, a handshake) for nothing; a client of its own is
 * destroyed instead. The clients share one connector, so that TLS sessions are resumed across
 * streams. How many streams are open at once is bounded by the gateway's stream slots.
 */
export class StreamClients {
  private readonly connect: buildConnector.connector;
  private readonly open = new Set<Client>();

  constructor(
    private readonly origin: string,
    private readonly settings: { connectTimeoutMs: number; headersTimeoutMs: number },
  ) {
    this.connect = buildConnector({ timeout: settings.connectTimeoutMs });
  }

  take(): StreamClient {
    const client = new Client(this.origin, {
      connect: this.connect,
      headersTimeout: this.settings.headersTimeoutMs,
    });
    this.open.add(client);
    return {
      client,
      release: () => {
        if (!this.open.delete(client)) return;
        void client.destroy().catch(() => undefined);
      },
    };
  }

  /** Destroys every stream's client that is still open. */
  async close(): Promise<void> {
    const clients = [...this.open];
    this.open.clear();
    await Promise.all(clients.map((client) => client.destroy().catch(() => undefined)));
  }
}
