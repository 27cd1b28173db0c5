import { median, table } from './stats.js';

export type Comparison = '≥' | '≤' | '<' | '=';

export interface Goal {
  comparison: Comparison;
  value: number;
}

function meets(measured: number, { comparison, value }: Goal): boolean {
  if (comparison === '≥') return measured >= value;
  if (comparison === '≤') return measured <= value;
  if (comparison === '<') return measured < value;
  return measured === value;
}

/** A row of a targets table: the measured figure beside its goal, with ✓ or ✗. */
export function targetRow(
  target: string,
  measured: number,
  goal: Goal,
  format: (value: number) => string,
): Record<string, string> {
  return {
    target,
    measured: format(measured),
    goal: `${goal.comparison} ${format(goal.value)}`,
    met: meets(measured, goal) ? '✓' : '✗',
  };
}

/** The median over runs of one figure of each run. */
export function medianOf<Run>(runs: readonly Run[], figure: (run: Run) => number): number {
  return median(runs.map(figure));
}

export const fixed =
  (digits: number) =>
  (value: number): string =>
    value.toFixed(digits);
export const times = (value: number): string => `${value.toFixed(2)}×`;
export const percent = (value: number): string => `${(value * 100).toFixed(0)}%`;
export const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

export function printSection(
  title: string,
  ...tables: Array<Array<Record<string, string | number>>>
) {
  console.log(`\n## ${title}\n`);
  console.log(tables.map(table).join('\n\n'));
}
