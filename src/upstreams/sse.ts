import { createParser, ParseError, type EventSourceMessage } from 'eventsource-parser';

/**
 * The server-sent events of a response body, in order. Ends when the body ends; throws what
 * reading the body throws (a reset, an idle timeout, an abort), and the parser's
 * `max-buffer-size-exceeded` ParseError once an event, or a line still without its end, holds
 * more than `maxEventChars` characters.
 */
export async function* serverSentEvents(
  body: AsyncIterable<Uint8Array>,
  maxEventChars: number,
): AsyncGenerator<EventSourceMessage> {
  const pending: EventSourceMessage[] = [];
  let overflow: ParseError | undefined;
  const parser = createParser({
    onEvent: (event) => pending.push(event),
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') overflow = error;
    },
    maxBufferSize: maxEventChars,
  });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    while (pending.length > 0) yield pending.shift()!;
    if (overflow) throw overflow;
  }
  parser.feed(decoder.decode());
  while (pending.length > 0) yield pending.shift()!;
  if (overflow) throw overflow;
}

export function isOversizeEvent(error: unknown): boolean {
  return error instanceof ParseError && error.type === 'max-buffer-size-exceeded';
}
