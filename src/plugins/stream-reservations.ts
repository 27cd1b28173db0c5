import { randomUUID } from 'node:crypto';
import type { StreamReservationLimits } from '../config.js';

interface Reservation {
  client: string;
  expiry: NodeJS.Timeout;
}

/**
 * The graphql-sse single-connection reservations (a `PUT`'s stream token) that no event stream
 * has claimed yet. graphql-sse keeps a reserved stream until its event stream closes, which an
 * abandoned one never does; here an unclaimed reservation expires after `ttlMs` (and `release`
 * then disposes of graphql-sse's stream), and a client (a remote address) may hold `maxPerClient`
 * of them, all clients together `maxTotal`.
 */
export class StreamReservations {
  private readonly byToken = new Map<string, Reservation>();
  private readonly perClient = new Map<string, number>();

  constructor(
    private readonly limits: StreamReservationLimits,
    private readonly release: (token: string) => void,
    private readonly counted: (outstanding: number) => void,
  ) {}

  /** A fresh token reserved for `client`, or undefined when it or everyone holds the most allowed. */
  reserve(client: string): string | undefined {
    const held = this.perClient.get(client) ?? 0;
    if (held >= this.limits.maxPerClient || this.byToken.size >= this.limits.maxTotal) {
      return undefined;
    }
    const token = randomUUID();
    const expiry = setTimeout(() => {
      if (this.claim(token)) this.release(token);
    }, this.limits.ttlMs).unref();
    this.byToken.set(token, { client, expiry });
    this.perClient.set(client, held + 1);
    this.counted(this.byToken.size);
    return token;
  }

  /** Takes `token` out of the unclaimed reservations; false when it was not among them. */
  claim(token: string): boolean {
    const reservation = this.byToken.get(token);
    if (!reservation) return false;
    clearTimeout(reservation.expiry);
    this.byToken.delete(token);
    const held = (this.perClient.get(reservation.client) ?? 1) - 1;
    if (held === 0) this.perClient.delete(reservation.client);
    else this.perClient.set(reservation.client, held);
    this.counted(this.byToken.size);
    return true;
  }
}
