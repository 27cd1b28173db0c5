import type { FalLogLine } from '../fal/types.js';
import type { FalLegacyLogLine } from './types.js';

/** A legacy line as the schema serves fal lines; its labels stay the legacy API's own. */
export function asV1Line(line: FalLegacyLogLine): FalLogLine {
  return {
    timestamp: line.timestamp.iso,
    level: line.level,
    message: line.message,
    app: line.app,
    revision: line.revision,
    labels: line.labels,
  };
}
