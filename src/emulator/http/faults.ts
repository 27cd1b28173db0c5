import type { Fault, Route } from '../types.js';

/** One fault per route; each matching call spends one unit of its `times` budget. */
export class FaultBook {
  #faults = new Map<Route, { fault: Fault; remaining: number }>();

  set(route: Route, fault: Fault): void {
    this.#faults.set(route, { fault, remaining: fault.times ?? Infinity });
  }

  clear(): void {
    this.#faults.clear();
  }

  take(route: Route): Fault | undefined {
    const entry = this.#faults.get(route);
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.#faults.delete(route);
    return entry.fault;
  }
}
