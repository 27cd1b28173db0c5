import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import { z } from 'zod';
import type { FalLogContext, FalLogLine, GatewayContext } from '../../context.js';
import { builder } from '../builder.js';
import { readScope, requireCredential } from '../errors.js';
import { BoundedMap, loadEach } from '../loaders.js';
import { FalLogLineRef } from './logs.js';

interface ContextLookup {
  line: FalLogLine;
  before: number;
  after: number;
}

/** Lines whose context is read at once for one GraphQL request (two upstream calls each). */
const CONTEXT_CONCURRENCY = 4;
/** Contexts remembered per GraphQL request; a long live tail forgets the oldest. */
const REMEMBERED_CONTEXTS = 200;
const DEFAULT_NEIGHBOURS = 5;
const MAX_NEIGHBOURS = 50;

const neighbourCount = z
  .number()
  .int()
  .min(0, 'must be at least 0')
  .max(MAX_NEIGHBOURS, `must be at most ${MAX_NEIGHBOURS}`)
  .nullish();

/** Per GraphQL request, so nothing read with one credential reaches another. */
const contextLoader = createContextCache(
  (context: GatewayContext) =>
    new DataLoader<ContextLookup, FalLogContext, string>(
      (lookups) => {
        const scope = readScope(context, 'fal');
        return loadEach(lookups, CONTEXT_CONCURRENCY, (lookup) =>
          context.reads.falLogContext(scope, lookup),
        );
      },
      { cacheKeyFn: lookupKey, cacheMap: new BoundedMap(REMEMBERED_CONTEXTS) },
    ),
);

/** The same line (as the upstream tells lines apart) with the same counts is read once. */
function lookupKey({ line, before, after }: ContextLookup): string {
  const labels = Object.entries(line.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([line.timestamp, line.revision, line.message, labels, before, after]);
}

const FalLogContextRef = builder.objectRef<FalLogContext>('FalLogContext').implement({
  description: 'The lines around a log line, from the same runner.',
  fields: (t) => ({
    before: t.field({
      type: [FalLogLineRef],
      description: 'The lines just older than the line, oldest first.',
      resolve: (context) => context.before,
    }),
    after: t.field({
      type: [FalLogLineRef],
      description: 'The lines just newer than the line, oldest first.',
      resolve: (context) => context.after,
    }),
  }),
});

builder.objectField(FalLogLineRef, 'context', (t) =>
  t.field({
    type: FalLogContextRef,
    description:
      'Up to `before` lines just older and `after` lines just newer than this line (0 to 50 each, default 5), like `grep -C`: from the same runner (label `fal_job_id`), or from the same app revision when the line has none, within 24 hours of it. Lines sharing the line’s timestamp keep the upstream’s order around it; the line is found among them by message and labels, so two identical lines at one timestamp are one line here (its twins are left out of its context), and a line the upstream does not hold yet sits after the lines of its timestamp. Costs at most two upstream calls per distinct line, four lines at a time. The newer lines come from one read of a window sized to hold about 250 lines at the pace of the runner’s last 50 lines (at least a second, at most 24 hours): when the runner goes quiet right after the line for much longer than its pace suggests, `after` can be shorter than asked although more lines follow, and when the window holds more than one upstream page both lists are empty rather than skip a line.',
    args: {
      before: t.arg.int({ defaultValue: DEFAULT_NEIGHBOURS, validate: neighbourCount }),
      after: t.arg.int({ defaultValue: DEFAULT_NEIGHBOURS, validate: neighbourCount }),
    },
    resolve: (line, args, context) => {
      requireCredential(context, 'fal');
      return contextLoader(context).load({
        line,
        before: args.before ?? DEFAULT_NEIGHBOURS,
        after: args.after ?? DEFAULT_NEIGHBOURS,
      });
    },
  }),
);
