import { renderGraphiQL, type GraphiQLOptions, type Plugin } from 'graphql-yoga';

const ASSET_ROUTE = '/graphiql/';
const CDN_DIST = /https:\/\/unpkg\.com\/@graphql-yoga\/graphiql@[^/]+\/dist\//g;

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

/** Yoga's GraphiQL page, its scripts and styles served by the gateway rather than a CDN. */
export function renderLocalGraphiQL(options: GraphiQLOptions): string {
  return renderGraphiQL(options).replace(CDN_DIST, ASSET_ROUTE);
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
