/**
 * What a live source's upstream request is aborted with when nothing went wrong: its subscriber
 * left, or a replay caught up and needs it no more. One error, its stack read once here, so that
 * an abort makes no `DOMException` of its own, and what the reason is handed to (undici, Node's
 * streams, which read a reason's stack) neither formats a stack nor keeps one per abort.
 */
export const STOPPED = new Error('the live source was stopped');
void STOPPED.stack;
