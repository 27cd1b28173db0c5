import type { Emulator, FalLogLine } from '../../src/emulator/index.js';

/**
 * Appends `count` lines to the demo tenant with distinct, increasing timestamps ending now, as
 * an app would log them. They count as live for tails that started before the call. `padding`
 * characters follow each message's label and number.
 */
export async function appendLiveLines(
  emulator: Emulator,
  count: number,
  label: string,
  padding = 0,
): Promise<FalLogLine[]> {
  await new Promise((resolve) => setTimeout(resolve, count + 2));
  const base = Date.now() - count;
  return emulator.fal.appendLines(
    'demo',
    Array.from({ length: count }, (_, i) => ({
      timestamp: new Date(base + i).toISOString(),
      message: padding ? `${label} #${i} ${'.'.repeat(padding)}` : `${label} #${i}`,
    })),
  );
}
