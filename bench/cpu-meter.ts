import { cpuSecondsOf } from './node-process.js';

/** Measures from now on the CPU seconds used by other processes (by pid) and by this one (`clients`). */
export function cpuMeter<Name extends string>(pids: Record<Name, number>) {
  const names = Object.keys(pids) as Name[];
  const before = names.map((name) => cpuSecondsOf(pids[name]));
  const ownBefore = process.cpuUsage();
  return {
    read(): Record<Name | 'clients', number> {
      const own = process.cpuUsage(ownBefore);
      const seconds = { clients: (own.user + own.system) / 1e6 } as Record<
        Name | 'clients',
        number
      >;
      names.forEach((name, i) => {
        seconds[name] = cpuSecondsOf(pids[name]) - before[i]!;
      });
      return seconds;
    },
  };
}
