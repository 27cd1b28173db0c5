const MS = 1000;
/** Reads aim a quarter past what the density seen says holds the lines still wanted. */
const MARGIN = 1.25;

const ceilMs = (micros: number) => Math.ceil(micros / MS) * MS;

/**
 * How far above `lo` each read of an oldest-first walk reaches, from what the reads so far told.
 *
 * After a read that fits: what should hold the lines still wanted at the density it showed;
 * after a read too full for one upstream page: the same at the density of the lines it returned.
 * Once a read comes back empty those guesses have failed, and until a read hands lines out the
 * walk searches instead: it reads up to the next bound (the lowest too-full read still ahead, or
 * the window's end), since what is left below it often fits, and otherwise reaches at most half
 * way to the bound, so that each read at least halves what is left. A read up to a bound that
 * came back too full is tried again only once what is left below the bound is a quarter of that
 * read, so that a dense stretch above a long quiet one is not read again at every step.
 */
export class OldestFirstSpan {
  #span: number;
  #next: 'span' | 'bound after empty' | 'closer' = 'span';
  #trusted = true;
  #reachedBound = false;
  /** The width of the last read that came back empty. */
  #empty = 0;
  /** The width of the last read up to its bound that came back too full. */
  #boundTooFull = Number.POSITIVE_INFINITY;

  /** `span` µs for the first read: the page before's, or the whole window. */
  constructor(span: number) {
    this.#span = span;
  }

  /** Where the next read from `lo` ends: on a whole millisecond, above `lo`, at most `bound`. */
  end(lo: number, bound: number): number {
    const left = bound - lo;
    if (this.#next === 'closer') this.#span = this.#closer(left);
    if (this.#next === 'bound after empty') {
      this.#span = left * 4 <= this.#boundTooFull ? left : this.#closer(left);
    }
    const hi = Math.min(bound, ceilMs(lo + Math.max(this.#span, 1)));
    this.#reachedBound = hi === bound;
    return hi;
  }

  /** The read `[lo, hi)` was too full: its `returned` lines reach down to `oldest`. */
  tooFull(lo: number, hi: number, returned: number, oldest: number, wanted: number): void {
    if (this.#reachedBound) this.#boundTooFull = hi - lo;
    if (!this.#trusted) {
      this.#next = 'closer';
      return;
    }
    const density = returned / Math.max(MS, hi - oldest);
    this.#span = (wanted * MARGIN) / Math.max(density, Number.MIN_VALUE);
    this.#next = 'span';
  }

  /** The read `[lo, hi)` fitted and handed out `handed` lines; `stillWanted` more are wanted. */
  fitted(lo: number, hi: number, handed: number, stillWanted: number): void {
    if (handed === 0) {
      this.#empty = hi - lo;
      this.#trusted = false;
      this.#next = 'bound after empty';
      return;
    }
    this.#trusted = true;
    this.#boundTooFull = Number.POSITIVE_INFINITY;
    this.#span = Math.max(MS, ((hi - lo) * stillWanted * MARGIN) / handed);
    this.#next = 'span';
  }

  /**
   * Half of what is left below the bound, or less: the geometric mean of that and the last empty
   * read's width, so that a short quiet stretch is crossed in a read or two.
   */
  #closer(left: number): number {
    return Math.min(left / 2, Math.sqrt(Math.max(this.#empty, MS) * left));
  }

  /** The span (µs) to start the next page with. */
  get hint(): number {
    return Math.max(MS, Math.round(this.#span));
  }
}
