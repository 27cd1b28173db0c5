import type { CallFilter, RecordedCall } from '../types.js';

export class CallLog {
  #calls: RecordedCall[] = [];
  #inFlight = 0;
  #peakInFlight = 0;

  record(call: RecordedCall): void {
    this.#calls.push(call);
  }

  /** Counts a call until its exchange closes; marks it abandoned if the client left first. */
  track(
    call: RecordedCall,
    res: { writableFinished: boolean; once(e: 'close', f: () => void): void },
  ) {
    this.#inFlight += 1;
    this.#peakInFlight = Math.max(this.#peakInFlight, this.#inFlight);
    res.once('close', () => {
      this.#inFlight -= 1;
      if (!res.writableFinished) call.abandoned = true;
    });
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** The most calls in flight at once since the last reset. */
  get peakInFlight(): number {
    return this.#peakInFlight;
  }

  list(filter: CallFilter = {}): RecordedCall[] {
    return this.#calls.filter(
      (call) =>
        (filter.source === undefined || call.source === filter.source) &&
        (filter.route === undefined || call.route === filter.route),
    );
  }

  reset(): void {
    this.#calls = [];
    this.#peakInFlight = this.#inFlight;
  }
}
