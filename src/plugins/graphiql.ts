import { renderGraphiQL, type GraphiQLOptions, type Plugin } from 'graphql-yoga';

const ASSET_ROUTE = '/graphiql/';
const CDN_DIST = /https:\/\/unpkg\.com\/@graphql-yoga\/graphiql@[^/]+\/dist\//g;
const REMOTE_FAVICON = /<link rel=icon href=https:[^>]*>/;
/** A favicon in the page itself, as GraphiQL's own is fetched from GitHub. */
const INLINE_FAVICON = `<link rel=icon href="data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#e10098"/><path d="M4 5h8M4 8h8M4 11h5" stroke="#fff" stroke-width="1.5"/></svg>',
)}">`;

type Asset = { body: string; type: string };

/**
 * GraphiQL's bundle holds about 30 MiB of heap once loaded, so it is loaded by the first request
 * for one of its files, not by every gateway that might serve it.
 */
let assets: Promise<Map<string, Asset>> | undefined;
const loadAssets = () =>
  (assets ??= import('@graphql-yoga/render-graphiql/graphiql').then(
    ({ css, editorWorkerService, graphqlWorker, js, jsonWorker }) =>
      new Map<string, Asset>([
        ['yoga-graphiql.umd.js', { body: js, type: 'text/javascript' }],
        ['graphiql.css', { body: css, type: 'text/css' }],
        [
          'monacoeditorwork/editor.worker.bundle.js',
          { body: editorWorkerService, type: 'text/javascript' },
        ],
        ['monacoeditorwork/json.worker.bundle.js', { body: jsonWorker, type: 'text/javascript' }],
        [
          'monacoeditorwork/graphql.worker..bundle.js',
          { body: graphqlWorker, type: 'text/javascript' },
        ],
      ]),
  ));

/** Yoga's GraphiQL page, its scripts, styles and icon served by the gateway rather than the internet. */
export function renderLocalGraphiQL(options: GraphiQLOptions): string {
  return renderGraphiQL(options)
    .replace(CDN_DIST, ASSET_ROUTE)
    .replace(REMOTE_FAVICON, INLINE_FAVICON);
}

/** Serves GraphiQL's files, so that GraphiQL works without internet access. */
export function useGraphiQLAssets(): Plugin {
  return {
    async onRequest(payload) {
      const { url, fetchAPI } = payload;
      if (!url.pathname.startsWith(ASSET_ROUTE)) return;
      const asset = (await loadAssets()).get(url.pathname.slice(ASSET_ROUTE.length));
      payload.endResponse(
        asset
          ? new fetchAPI.Response(asset.body, {
              headers: {
                'content-type': `${asset.type}; charset=utf-8`,
                'cache-control': 'public, max-age=86400',
              },
            })
          : new fetchAPI.Response(null, { status: 404 }),
      );
    },
  };
}
