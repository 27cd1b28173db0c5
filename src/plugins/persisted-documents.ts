import {
  defaultExtractPersistedOperationId,
  usePersistedOperations,
} from '@graphql-yoga/plugin-persisted-operations';
import { Kind, parse, validate, type DocumentNode, type GraphQLSchema, type Source } from 'graphql';
import { createGraphQLError, type GraphQLParams, type Plugin } from 'graphql-yoga';
import { ConfigError, type PersistedDocumentSettings } from '../config.js';
import { sha256HexOf } from '../persisted-manifest.js';
import { settingProblems } from '../startup.js';

/** Request params as a client may send them: a `documentId` in place of `query`. */
export type PersistedRequestParams = GraphQLParams & { documentId?: unknown };

const ID_PARAMS = '"documentId" or "extensions.persistedQuery.sha256Hash"';

/** The message Apollo's persisted-query link (and Apollo iOS and Kotlin) retry on with the text. */
const NOT_FOUND = {
  message: 'PersistedQueryNotFound',
  extensions: { code: 'NOT_FOUND', http: { status: 404 } },
};

const TEXT_REFUSED = {
  message:
    'The "query" param is not accepted: this gateway runs only persisted documents (PERSISTED_ONLY). ' +
    `Send the document's id as ${ID_PARAMS}.`,
  extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
};

const missingId = (only: boolean) => ({
  message: only
    ? `Must provide a persisted document's id: ${ID_PARAMS}.`
    : `Must provide query string or a persisted document's id: ${ID_PARAMS}.`,
  extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
});

const refusal = ({ message, extensions }: { message: string; extensions: object }) =>
  createGraphQLError(message, { extensions });

/** Apollo's `extensions.persistedQuery.sha256Hash`, else `documentId` (a GET's in its URL). */
function persistedIdOf(params: PersistedRequestParams, request: Request): string | null {
  const apolloHash = defaultExtractPersistedOperationId(params, request, {});
  if (apolloHash !== null) return apolloHash;
  if (typeof params.documentId === 'string') return params.documentId;
  return new URL(request.url).searchParams.get('documentId');
}

const operationNamesOf = (document: DocumentNode) =>
  document.definitions.flatMap((definition) =>
    definition.kind === Kind.OPERATION_DEFINITION && definition.name ? [definition.name.value] : [],
  );

/**
 * The manifest's documents, each parsed and validated against the schema once, at start: a
 * request that names one runs that very document, with no parsing or validation of its own (and
 * so the compiled-query and cost caches, kept per document, keep serving it).
 */
export class PersistedDocuments {
  private readonly documentsByText = new Map<string, DocumentNode>();
  private readonly known = new WeakSet<DocumentNode>();
  /** The manifest's operation names: bounded by the manifest, so fit for metric labels. */
  readonly operationNames = new Set<string>();
  /** Whether any other document is refused. */
  readonly only: boolean;
  private readonly textsByHash: ReadonlyMap<string, string>;

  /** Throws a ConfigError naming `PERSISTED_DOCUMENTS` for a document that does not validate. */
  constructor(settings: PersistedDocumentSettings, schema: GraphQLSchema) {
    this.only = settings.only;
    this.textsByHash = settings.manifest;
    for (const [hash, text] of settings.manifest) {
      const problem = (why: string) =>
        new ConfigError(
          settingProblems(
            [{ path: ['PERSISTED_DOCUMENTS'], message: `document sha256:${hash} ${why}` }],
            { PERSISTED_DOCUMENTS: settings.path },
          ),
        );
      let document: DocumentNode;
      try {
        document = parse(text);
      } catch (error) {
        throw problem(`does not parse: ${(error as Error).message}`);
      }
      const [invalid] = validate(schema, document);
      if (invalid) {
        throw problem(
          `is not valid against the gateway's schema (${invalid.message}): regenerate the manifest from this schema`,
        );
      }
      this.documentsByText.set(text, document);
      this.known.add(document);
      for (const name of operationNamesOf(document)) this.operationNames.add(name);
    }
  }

  /** The text of the document an id names (`sha256:<hex>` or the bare hex). */
  textOf(id: string): string | undefined {
    const hash = sha256HexOf(id);
    return hash === undefined ? undefined : this.textsByHash.get(hash);
  }

  documentOf(text: string): DocumentNode | undefined {
    return this.documentsByText.get(text);
  }

  isKnown(document: DocumentNode): boolean {
    return this.known.has(document);
  }

  /**
   * The params graphql-sse's stream route runs: that route bypasses Yoga's params hooks, and
   * graphql-sse takes no request without query text, so the rules the persisted-operations
   * plugin applies on the GraphQL endpoint are applied here before graphql-sse reads the
   * request. Throws the refusal.
   */
  paramsToRun(params: PersistedRequestParams, request: Request): PersistedRequestParams {
    if (params.query) {
      if (this.only) throw refusal(TEXT_REFUSED);
      return params;
    }
    const id = persistedIdOf(params, request);
    if (id === null) throw refusal(missingId(this.only));
    const text = this.textOf(id);
    if (text === undefined) throw refusal(NOT_FOUND);
    return { ...params, query: text };
  }
}

/** A known document's text runs the document parsed and validated at start. */
function useKnownDocuments(documents: PersistedDocuments): Plugin {
  return {
    onParse({ params, setParsedDocument }) {
      // envelop types these parameters `any`: they are graphql-js's own.
      const source = params.source as string | Source;
      const document = documents.documentOf(typeof source === 'string' ? source : source.body);
      if (document) setParsedDocument(document);
    },
    onValidate({ params, setResult }) {
      if (documents.isKnown(params.documentAST as DocumentNode)) setResult([]);
    },
  };
}

/**
 * Persisted documents on the GraphQL endpoint (GET, POST and graphql-sse's distinct
 * connections): a request may name a manifest document by its SHA-256, in Apollo's
 * `extensions.persistedQuery.sha256Hash` or as GraphQL over HTTP's `documentId`, instead of
 * sending its text. An unknown id gets `PersistedQueryNotFound` (404, `NOT_FOUND`), on which
 * Apollo's link retries with the text; with `only`, text is refused (400, `BAD_USER_INPUT`)
 * before it is parsed.
 */
export function usePersistedDocuments(documents: PersistedDocuments): Plugin[] {
  return [
    usePersistedOperations({
      allowArbitraryOperations: !documents.only,
      extractPersistedOperationId: persistedIdOf,
      getPersistedOperation: (id) => documents.textOf(id) ?? null,
      customErrors: {
        notFound: NOT_FOUND,
        persistedQueryOnly: TEXT_REFUSED,
        keyNotFound: missingId(documents.only),
      },
    }),
    useKnownDocuments(documents),
  ];
}
