import { cpus, totalmem } from 'node:os';

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

export function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

export function machineLine(): string {
  const cores = cpus();
  const memory = Math.round(totalmem() / 2 ** 30);
  return `node ${process.version}, ${cores.length} × ${cores[0]?.model ?? 'unknown cpu'}, ${memory} GiB`;
}

/** A Markdown table with padded columns, readable as it is printed. */
export function table(rows: Array<Record<string, string | number>>): string {
  const headers = Object.keys(rows[0] ?? {});
  const cells = rows.map((row) => headers.map((header) => String(row[header])));
  const widths = headers.map((header, i) =>
    Math.max(3, header.length, ...cells.map((row) => row[i]!.length)),
  );
  const line = (values: string[]) =>
    `| ${values.map((value, i) => value.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join(
    '\n',
  );
}
