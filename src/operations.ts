import { readdirSync, readFileSync } from 'node:fs';

const OPERATIONS_DIR = new URL('../schema/operations/', import.meta.url);

const isSubscription = (document: string) => /^\s*subscription\b/m.test(document);

/**
 * The example operations in `schema/operations/`, for GraphiQL's tabs: queries first, then
 * live tails (which start streaming when run), each by file name.
 */
export function exampleOperations(): { name: string; document: string }[] {
  let files: string[];
  try {
    files = readdirSync(OPERATIONS_DIR).filter((file) => file.endsWith('.graphql'));
  } catch {
    return [];
  }
  return files
    .sort()
    .map((file) => ({
      name: file.replace(/\.graphql$/, ''),
      document: readFileSync(new URL(file, OPERATIONS_DIR), 'utf8'),
    }))
    .sort((a, b) => Number(isSubscription(a.document)) - Number(isSubscription(b.document)));
}
