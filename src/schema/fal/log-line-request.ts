import { OperationTypeNode, type GraphQLResolveInfo } from 'graphql';
import { z } from 'zod';
import type { FalLogLine, GatewayContext } from '../../context.js';
import { builder } from '../builder.js';
import { ownedAppIds } from './apps.js';
import { FalLogLineRef } from './logs.js';
import { knownRequest, loadFalRequest } from './request-loader.js';
import { expansionsSelected, FalRequestRef } from './requests.js';
import { rootFieldArguments } from '../selection.js';

/** The `owner/name` ids among the root field's `filter.appIds` that name this app. */
function appIdsNaming(appName: string, info: GraphQLResolveInfo): string[] {
  const parsed = z
    .object({ filter: z.object({ appIds: z.array(z.string()).nullish() }).nullish() })
    .safeParse(rootFieldArguments(info));
  const appIds = (parsed.success && parsed.data.filter?.appIds) || [];
  return appIds.filter((appId) => appId.split('/')[1] === appName);
}

/** Where to look the line's request up: its known endpoint, else the app ids of its app's owners. */
async function endpointIdsOf(
  line: FalLogLine,
  requestId: string,
  context: GatewayContext,
  info: GraphQLResolveInfo,
): Promise<readonly string[]> {
  const known = knownRequest(context, requestId);
  if (known) return [known.item.endpoint_id];
  const named = appIdsNaming(line.app, info);
  if (named.length > 0) return named;
  return ownedAppIds(
    context,
    line.app,
    info.operation.operation === OperationTypeNode.SUBSCRIPTION,
  );
}

builder.objectField(FalLogLineRef, 'request', (t) =>
  t.field({
    type: FalRequestRef,
    nullable: true,
    description:
      'The request that emitted the line (label `fal_request_id`); null for lines outside any request. Log lines name their app without its owner: it comes from the root field’s `filter.appIds` when that names the app as `owner/name`, else from the list of apps your key owns, read once per query (a live tail keeps it for a minute). Null without an error when the app is not in that list (a deleted app, or one outside the main environment): name it in `filter.appIds` to look its requests up anyway. Each distinct request is read once per query.',
    resolve: async (line, _args, context, info) => {
      const requestId = context.reads.requestIdOf(line);
      if (!requestId) return null;
      const endpointIds = await endpointIdsOf(line, requestId, context, info);
      if (endpointIds.length === 0) return null;
      return loadFalRequest(context, {
        endpointIds,
        requestId,
        expansions: expansionsSelected(info),
      });
    },
  }),
);
