/**
 * What a live source's upstream request is aborted with when nothing went wrong: its subscriber
 * left, or a replay caught up and needs it no more. One error, its stack read once here, so that
 * an abort makes no `DOMException` of its own, and what the reason is handed to (undici, Node's
 * streams, which read a reason's stack) neither formats a stack nor keeps one per abort. Named
 * `AbortError`, as an abort's default reason is: the request it fails reads as called off (its
 * span's outcome `aborted`), not as an upstream that failed.
 */
export const STOPPED = Object.assign(new Error('the live source was stopped'), {
  name: 'AbortError',
});
void STOPPED.stack;
