import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, REPO_ROOT), 'utf8');

/**
 * A README code block that shows an example: `<!-- file: path -->` is the whole file,
 * `<!-- excerpt: path -->` a run of its lines, `<!-- install: path/package.json -->` the
 * `npm i` lines that install what that package.json lists.
 */
interface Shown {
  kind: 'file' | 'excerpt' | 'install';
  path: string;
  code: string;
}

function shownExamples(readme: string): Shown[] {
  const marked = /<!-- (file|excerpt|install): (\S+) -->\n\n```\w*\n([\s\S]*?)```/g;
  return [...readme.matchAll(marked)].map(([, kind, path, code]) => ({
    kind: kind as Shown['kind'],
    path: path!,
    code: code!,
  }));
}

/** The packages named by an `npm i` (or, with `-D`, `npm i -D`) line. */
function installed(code: string, dev: boolean): string[] {
  const line = code
    .split('\n')
    .find((text) => /^npm i /.test(text) && text.includes(' -D ') === dev);
  return (line ?? '').split(' ').filter((word) => word && !['npm', 'i', '-D'].includes(word));
}

const shown = shownExamples(read('README.md'));

describe("the README's client sections show the examples the tests run", () => {
  it('show the Apollo client, its codegen config, its install line and the resuming tail', () => {
    expect(shown.map(({ kind, path }) => `${kind}: ${path}`)).toEqual(
      expect.arrayContaining([
        'install: examples/apollo-client/package.json',
        'file: examples/apollo-client/src/client.ts',
        'excerpt: examples/apollo-client/src/main.ts',
        'file: examples/apollo-client/codegen.ts',
        'excerpt: examples/graphql-sse/src/tail.ts',
      ]),
    );
  });

  it.each(shown)('$kind: $path is what the README shows', ({ kind, path, code }) => {
    const file = read(path);
    if (kind === 'file') expect(code).toBe(file);
    if (kind === 'excerpt') expect(file).toContain(code);
    if (kind === 'install') {
      const { dependencies = {}, devDependencies = {} } = JSON.parse(file) as {
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      expect(installed(code, false).sort()).toEqual(Object.keys(dependencies).sort());
      expect(installed(code, true).sort()).toEqual(Object.keys(devDependencies).sort());
    }
  });
});
