/**
 * Appends entries in the order they are added, sending what arrives while a batch is on its way
 * as the next batch, so that a burst costs a few round trips rather than one per entry.
 *
 * Invariant: at most one batch is on its way. Once a batch fails, nothing more is sent: the
 * entries waiting are dropped, and `add` and `drained` reject with that failure.
 */
export class BatchedAppends<Entry> {
  private waiting: Entry[] = [];
  private sending: Promise<void> | undefined;
  private failure: Error | undefined;

  constructor(
    private readonly send: (batch: Entry[]) => Promise<void>,
    private readonly maxBatch: number,
  ) {}

  /** Queues `entry`: resolves at once, or, once a whole batch is waiting, when the queue is sent. */
  add(entry: Entry): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.waiting.push(entry);
    if (!this.sending) {
      this.sending = this.drain();
      // Seen through `add` and `drained`; no rejection goes unhandled meanwhile.
      this.sending.catch(() => undefined);
    }
    return this.waiting.length >= this.maxBatch ? this.sending : Promise.resolve();
  }

  /** Resolves once everything added has been sent. */
  drained(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return this.sending ?? Promise.resolve();
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) await this.send(this.waiting.splice(0, this.maxBatch));
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      this.waiting = [];
      throw error;
    } finally {
      this.sending = undefined;
    }
  }
}
