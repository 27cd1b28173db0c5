import { readdirSync, readFileSync } from 'node:fs';

const OPERATIONS_DIR = new URL('../schema/operations/', import.meta.url);

/** The example operations in `schema/operations/`, by file name, for GraphiQL's tabs. */
export function exampleOperations(): { name: string; document: string }[] {
  let files: string[];
  try {
    files = readdirSync(OPERATIONS_DIR).filter((file) => file.endsWith('.graphql'));
  } catch {
    return [];
  }
  return files.sort().map((file) => ({
    name: file.replace(/\.graphql$/, ''),
    document: readFileSync(new URL(file, OPERATIONS_DIR), 'utf8'),
  }));
}
