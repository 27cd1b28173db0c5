/**
 * How a run (a Dify workflow run, a fal request) changed, as a feed saw it: STARTED when first
 * seen unfinished, UPDATED when later seen in another unfinished status, FINISHED when first seen
 * in a final one (also when first seen already finished).
 */
export type RunChange = 'STARTED' | 'UPDATED' | 'FINISHED';
