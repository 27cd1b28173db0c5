import type { GraphQLError } from 'graphql';
import { badUserInput } from '../errors.js';
import type { FalLogFilter } from './logs.js';

/**
 * What fal's legacy logs API cannot answer honestly, refused before any upstream call: it has no
 * run-source filter, and it takes one condition per label key (a repeated key is its 400).
 * `field` is where the filter sits among the arguments.
 */
export function legacyRefusal(
  filter: FalLogFilter | null | undefined,
  field = 'filter',
): GraphQLError | undefined {
  if (filter?.runSource) {
    return badUserInput(
      `${field}.runSource`,
      'the fal logs backend of this gateway (FAL_LOGS_API=legacy) cannot filter by run source',
    );
  }
  const keys = new Set<string>();
  for (const { key } of filter?.labels ?? []) {
    if (keys.has(key)) {
      return badUserInput(
        `${field}.labels`,
        `the fal logs backend of this gateway (FAL_LOGS_API=legacy) takes one condition per label key; "${key}" has several`,
      );
    }
    keys.add(key);
  }
  return undefined;
}
