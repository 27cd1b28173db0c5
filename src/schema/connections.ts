import { z } from 'zod';
import type { CursorLayout } from '../cursor-layout.js';
import type { GatewayContext, PageCursorEncoder } from '../context.js';
import { InvalidCursorError } from '../errors.js';
import { badUserInput } from './errors.js';

/** A connection edge whose cursor is signed only when a client selects it. */
export class LazyCursorEdge<Node, Position = unknown> {
  constructor(
    readonly node: Node,
    private readonly encodeCursor: PageCursorEncoder<Position>,
    private readonly position: Position,
  ) {}

  get cursor(): string {
    return this.encodeCursor(this.position);
  }
}

/**
 * The `pageInfo` of a forward-only page, whose cursors are signed only when a client selects
 * them. A class rather than an object literal with getters: V8 keeps such a literal's getters in
 * a hidden class made for each object, in the old generation, and from there they hold the page
 * (every upstream line in it) through each young-generation collection until the next full one,
 * so each page was copied and promoted instead of dying young (see bench/RESULTS.md).
 */
export class ForwardPageInfo {
  readonly hasPreviousPage = false;

  constructor(
    readonly hasNextPage: boolean,
    private readonly start: () => string | null,
    private readonly end: () => string | null,
  ) {}

  get startCursor(): string | null {
    return this.start();
  }

  get endCursor(): string | null {
    return this.end();
  }
}

/**
 * A forward-only Relay page. `endCursor` defaults to the last edge's; a walk that scanned past
 * its last edge (rows filtered out by the gateway) passes where it really stopped.
 */
export function forwardPage<Edge extends { cursor: string }>(
  edges: Edge[],
  hasNextPage: boolean,
  endCursor: () => string | null = () => edges.at(-1)?.cursor ?? null,
) {
  return {
    edges,
    pageInfo: new ForwardPageInfo(hasNextPage, () => edges[0]?.cursor ?? null, endCursor),
  };
}

/** The `first` argument of a connection: 1 to `max`. */
export const pageSizeSchema = (max: number) => {
  const outOfRange = {
    error: (issue: { input: unknown }) => `must be 1 to ${max}, got ${String(issue.input)}`,
  };
  return z.number().int().min(1, outOfRange).max(max, outOfRange).nullish();
};

/**
 * The payload of an `after` cursor this gateway signed for the layout's connection, refused with
 * BAD_USER_INPUT when it is not one or was issued for other arguments (`args`, a digest).
 */
export function readAfterCursor<Base extends { args: string }, Position>(
  context: GatewayContext,
  layout: CursorLayout<Base, Position>,
  after: string,
  args: string,
): Base & Position {
  let cursor: Base & Position;
  try {
    cursor = context.cursors.decode(layout, after);
  } catch (error) {
    if (error instanceof InvalidCursorError) throw badUserInput('after', error.message);
    throw error;
  }
  if (cursor.args !== args) {
    throw badUserInput('after', 'the cursor was issued for a different filter');
  }
  return cursor;
}
