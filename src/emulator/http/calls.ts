import type { CallFilter, RecordedCall } from '../types.js';

export class CallLog {
  #calls: RecordedCall[] = [];

  record(call: RecordedCall): void {
    this.#calls.push(call);
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
  }
}
