import type { GraphQLError } from 'graphql';
import { badUserInput } from '../errors.js';
import type { FalLogFilter } from './logs.js';

/**
 * What fal's legacy logs API cannot honour, refused before any upstream call rather than
 * answered differently: it has no run source filter, and it rejects two conditions on one
 * label key.
 */
export function legacyRefusal(filter: FalLogFilter | null | undefined): GraphQLError | undefined {
  if (filter?.runSource) {
    return badUserInput(
      'filter.runSource',
      "fal's legacy logs API (FAL_LOGS_API=legacy) cannot filter by run source",
    );
  }
  const keys = new Set<string>();
  for (const { key } of filter?.labels ?? []) {
    if (keys.has(key)) {
      return badUserInput(
        'filter.labels',
        `fal's legacy logs API (FAL_LOGS_API=legacy) takes one condition per label key; "${key}" has several`,
      );
    }
    keys.add(key);
  }
  return undefined;
}
