import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * A persisted document's id: GraphQL over HTTP's `sha256:<hex>` (what GraphQL Code Generator's
 * client preset writes, and what `documentId` carries) or the bare hex (what Apollo's
 * `extensions.persistedQuery.sha256Hash` carries).
 */
const SHA256_ID = /^(?:sha256:)?([0-9a-f]{64})$/;

/** The lower-case hex SHA-256 an id names, in either form; undefined for any other id. */
export function sha256HexOf(id: string): string | undefined {
  return SHA256_ID.exec(id)?.[1];
}

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Persisted documents' text by the hex SHA-256 of that text. */
export type PersistedManifest = ReadonlyMap<string, string>;

const FORMAT =
  'it must be a JSON object of "sha256:<hex>" to document text, as GraphQL Code Generator writes persisted-documents.json';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const short = (text: string) => (text.length > 80 ? `${text.slice(0, 77)}...` : text);

/**
 * Reads the manifest of persisted documents at `path`, as GraphQL Code Generator's client preset
 * writes it (`persistedDocuments: true`). Every id must be the SHA-256 of its own text, so a hash
 * always names the text it was computed from. Throws an Error saying what is wrong.
 */
export function readPersistedManifest(path: string): PersistedManifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the manifest: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`the manifest is not JSON (${(error as Error).message}): ${FORMAT}`);
  }
  if (!isRecord(json)) throw new Error(`the manifest is not a JSON object: ${FORMAT}`);
  const manifest = new Map<string, string>();
  for (const [id, document] of Object.entries(json)) {
    const hex = sha256HexOf(id);
    if (!hex) throw new Error(`${JSON.stringify(short(id))} is not a SHA-256 id: ${FORMAT}`);
    if (typeof document !== 'string') {
      throw new Error(`the document of ${id} is not a string: ${FORMAT}`);
    }
    if (sha256Hex(document) !== hex) {
      throw new Error(`${id} is not the SHA-256 of its document: regenerate the manifest`);
    }
    manifest.set(hex, document);
  }
  if (manifest.size === 0) throw new Error(`the manifest holds no documents: ${FORMAT}`);
  return manifest;
}
