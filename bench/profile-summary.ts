/**
 * Where a process's CPU went, from a V8 CPU profile (`node --cpu-prof`): the functions with the
 * most self time and the self time by package. Idle time is left out of the shares.
 *
 *   npx tsx bench/profile-summary.ts <file.cpuprofile> [top=20]
 */
import { readFileSync } from 'node:fs';
import { table } from './stats.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const PSEUDO_FUNCTIONS = new Set(['(garbage collector)', '(program)', '(root)']);

/** node_modules/<package> (scoped or not, the innermost one), node's own modules, or our code. */
function packageOf({ functionName, url }: ProfileNode['callFrame']): string {
  if (PSEUDO_FUNCTIONS.has(functionName)) return functionName;
  if (url === '') return '(native)';
  if (url.startsWith('node:')) return 'node (built-in)';
  const match = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1]!;
  const ours = /\/(dist|src|bench)\/(.*)$/.exec(url);
  return ours ? `project ${ours[1]}/` : url;
}

function functionLabel({ functionName, url, lineNumber }: ProfileNode['callFrame']): string {
  if (PSEUDO_FUNCTIONS.has(functionName) || url === '') return functionName || '(anonymous)';
  const file = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(dist|bench)\//, '$1/');
  return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
}

function summarise(profile: CpuProfile, top: number) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let busy = 0;
  for (const [id, micros] of selfMicros) {
    const frame = nodes.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    busy += micros;
    const label = functionLabel(frame);
    byFunction.set(label, (byFunction.get(label) ?? 0) + micros);
    const pkg = packageOf(frame);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
  }
  const rows = (totals: Map<string, number>, key: string) =>
    [...totals]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => ({
        [key]: name,
        'self ms': (micros / 1000).toFixed(0),
        share: `${((micros / busy) * 100).toFixed(1)}%`,
      }));
  return {
    busyMs: busy / 1000,
    functions: rows(byFunction, 'function'),
    packages: rows(byPackage, 'package'),
  };
}

const [file, top = '20'] = process.argv.slice(2);
if (!file) throw new Error('usage: tsx bench/profile-summary.ts <file.cpuprofile> [top]');
const summary = summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(top));
console.log(`${file}: ${(summary.busyMs / 1000).toFixed(1)} s busy\n`);
console.log(`${table(summary.functions)}\n\n${table(summary.packages)}`);
