/**
 * The abort signal of one upstream attempt: aborted when the caller's signal aborts (the client
 * went away) or when the request's deadline passes, whichever comes first, until `dispose()`.
 *
 * It arms a timer of its own rather than using `AbortSignal.timeout()`: a timeout signal is held
 * only weakly (by its timer and by `AbortSignal.any()`), so once the request had been sent it
 * could be garbage-collected and the deadline would never fire while the body was still being
 * read. Here the timer holds the controller until the attempt is disposed.
 */
export class AttemptSignal {
  readonly #controller = new AbortController();
  readonly #caller: AbortSignal | undefined;
  readonly #timer: NodeJS.Timeout | undefined;
  #expired = false;

  constructor(caller: AbortSignal | undefined, deadline: number | undefined) {
    this.#caller = caller;
    if (caller?.aborted) this.#controller.abort(caller.reason);
    else caller?.addEventListener('abort', this.#onCallerAbort, { once: true });
    if (deadline !== undefined) {
      this.#timer = setTimeout(() => {
        this.#expired = true;
        this.#controller.abort(new DOMException('The request deadline passed', 'TimeoutError'));
      }, deadline - Date.now());
    }
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True once the deadline has cut the attempt off. */
  get expired(): boolean {
    return this.#expired;
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#caller?.removeEventListener('abort', this.#onCallerAbort);
  }

  readonly #onCallerAbort = () => this.#controller.abort(this.#caller?.reason);
}
